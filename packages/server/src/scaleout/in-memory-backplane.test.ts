import { InMemoryBus } from './in-memory-backplane.js';
import { runBackplaneSuite } from '../test-support/backplane-suite.js';

const bus = new InMemoryBus();
runBackplaneSuite('in-memory', () => Promise.resolve(bus.createBackplane()));
