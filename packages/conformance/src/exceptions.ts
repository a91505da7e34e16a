/**
 * Errors named like the .NET exceptions the reference server throws. With detailed errors on, the
 * hub layer appends `<error name>: <message>` to its error text, and the official tests assert the
 * .NET type name (`… InvalidOperationException: An error occurred.`), so the name is the point.
 */

/** Mirrors `System.InvalidOperationException`. */
export class InvalidOperationException extends Error {
  override readonly name = 'InvalidOperationException';
}

/** Mirrors `System.FormatException` (what `int.Parse` throws on a malformed number). */
export class FormatException extends Error {
  override readonly name = 'FormatException';
}
