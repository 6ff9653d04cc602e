import type { LayerLike } from './layers';

/** The parts of a tfjs-layers SymbolicTensor that the walk reads. */
interface SymbolicLike {
  readonly id: number;
  readonly shape: readonly (number | null)[];
  readonly sourceLayer: LayerLike;
  readonly inputs: readonly SymbolicLike[];
  readonly outputTensorIndex?: number;
}

/** The parts of a tfjs-layers LayersModel that the walk reads. */
export interface LayersModelLike extends LayerLike {
  readonly inputs: readonly SymbolicLike[];
  readonly outputs: readonly SymbolicLike[];
  readonly layers: readonly LayerLike[];
}

/** One application of a layer in the flattened graph. */
export interface GraphNode {
  /** Unique tap name: the layer name, prefixed by enclosing models, suffixed `/k` on reuse. */
  readonly id: string;
  readonly layer: LayerLike;
  readonly inputs: readonly string[];
  /** Which output of a multi-output layer this node is. */
  readonly outputIndex: number;
  readonly outputShape: readonly (number | null)[];
  /** True for the model's own input. */
  readonly isInput: boolean;
}

/** A LayersModel flattened into one graph, nested models inlined. */
export interface LayersGraph {
  /** Nodes in an order where every node follows its inputs. */
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Extra tap names (a nested model's own name) and the node each stands for. */
  readonly aliases: ReadonlyMap<string, string>;
}

export function isLayersModel(layer: unknown): layer is LayersModelLike {
  const l = layer as Partial<LayersModelLike> | null;
  return !!l && Array.isArray(l.layers) && Array.isArray(l.outputs) && Array.isArray(l.inputs);
}

/** Flattens a LayersModel (Sequential, functional, nested) into one graph. */
export function flattenLayersModel(model: LayersModelLike): LayersGraph {
  const nodes: GraphNode[] = [];
  const used = new Set<string>();
  const aliases = new Map<string, string>();
  const inputs: string[] = [];

  const uniqueId = (name: string) => {
    let id = name;
    for (let k = 1; used.has(id); k++) id = `${name}/${k}`;
    used.add(id);
    return id;
  };

  const walk = (m: LayersModelLike, prefix: string, bound: Map<number, string>): string[] => {
    const visit = (sym: SymbolicLike): string => {
      const known = bound.get(sym.id);
      if (known !== undefined) return known;
      const layer = sym.sourceLayer;
      let id: string;
      if (isLayersModel(layer)) {
        const outer = sym.inputs.map(visit);
        const inner = new Map<number, string>();
        layer.inputs.forEach((s, i) => inner.set(s.id, outer[i]));
        id = walk(layer, `${prefix}${layer.name}/`, inner)[sym.outputTensorIndex ?? 0];
        aliases.set(uniqueId(prefix + layer.name), id);
      } else {
        const ins = sym.inputs.map(visit);
        const isInput = layer.getClassName() === 'InputLayer' && ins.length === 0;
        id = uniqueId(prefix + layer.name);
        if (isInput) inputs.push(id);
        nodes.push({ id, layer, inputs: ins, outputIndex: sym.outputTensorIndex ?? 0, outputShape: sym.shape.slice(1), isInput });
      }
      bound.set(sym.id, id);
      return id;
    };
    return m.outputs.map(visit);
  };

  const outputs = walk(model, '', new Map());
  return { nodes, inputs, outputs, aliases };
}
