/**
 * Every scenario, one line each; `npm run bench -- all` runs them in this order (except those whose
 * `inAll` is false).
 */
import type { Scenario } from '../harness/scenario.js';
import { burst } from './burst.js';
import { c100k } from './c100k.js';
import { cluster } from './cluster.js';
import { echo } from './echo.js';
import { fanout } from './fanout.js';
import { idle } from './idle.js';
import { transports } from './transports.js';

export const scenarios: Readonly<Record<string, Scenario>> = {
  idle,
  fanout,
  burst,
  echo,
  transports,
  cluster,
  c100k,
};
