// Selects the backend named by the test project (node-wasm or node-cpu) through deepvis's own adapter.
// cpu is registered too: a few references (tfjs-layers' own gradients) can only be taken there.
import '@tensorflow/tfjs-backend-cpu';
import { useNodeBackend, type NodeBackendName } from '../src/backends/node';

const backend = (process.env.DEEPVIS_BACKEND ?? 'cpu') as NodeBackendName;
const info = await useNodeBackend(backend);
if (info.name !== backend) throw new Error(`Wanted backend ${backend}, got ${info.name}`);
