/** mulberry32: a small deterministic PRNG in [0, 1) for seeded test inputs. */
export declare function prng(seed: number): () => number;
