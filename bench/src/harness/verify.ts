/**
 * Proof that the Switchyard server under test is the real thing: the official @microsoft/signalr
 * client connects to it and gets an echo back, once per scenario (the load itself uses light clients).
 */
import * as signalR from '@microsoft/signalr';

export type OfficialTransport = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

export async function verifyWithOfficialClient(baseUrl: string, transport: OfficialTransport = 'WebSockets'): Promise<void> {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl}/bench`, { transport: signalR.HttpTransportType[transport] })
    .configureLogging(signalR.LogLevel.None)
    .build();
  await connection.start();
  try {
    const answer = await connection.invoke<string>('Echo', 'official client');
    if (answer !== 'official client') throw new Error(`official client (${transport}) got ${JSON.stringify(answer)} back from Echo`);
  } finally {
    await connection.stop();
  }
}
