import { describeAdapter } from './adapter-suite.js';
import { ADAPTERS } from './resource-servers.js';

describeAdapter(ADAPTERS.fastify);
