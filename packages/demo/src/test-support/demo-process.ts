import { fileURLToPath } from 'node:url';
import { ServerProcess } from '@switchyard/conformance/test-support/server-processes';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** `npm start`'s program in its own process, as a person runs it (`PORT` 0 for any); known by the URL it prints. */
export function startDemoProcess(env: { PORT?: string; SWITCHYARD_BACKPLANE?: string; SWITCHYARD_CHANNEL_PREFIX?: string } = {}): Promise<ServerProcess> {
  return ServerProcess.start({
    name: 'the demo',
    main: MAIN,
    env: { PORT: '0', HOST: '127.0.0.1', ...env },
    listening: /open (http:\/\/\S+)/,
  });
}
