"""Writes the safetensors fixtures of ModelFilesTest with the reference implementation
(pip package `safetensors`, numpy API), so the Java reader is checked against files it did not
write. Element i of the j-th tensor in NAMES is ((7*i + 3*j) % 23 - 11) / 8, exact in F16/F32.

    python3 make_fixtures.py     # needs numpy and safetensors (tested with 0.8.0)
"""
import numpy as np
from safetensors.numpy import save_file

# fast-transformers RecurrentAttentionLayer: d_model 6, 2 heads, d_keys 4, d_values 5, d_model out 7
SHAPES = {
    "query_projection.weight": (8, 6), "query_projection.bias": (8,),
    "key_projection.weight": (8, 6), "key_projection.bias": (8,),
    "value_projection.weight": (10, 6), "value_projection.bias": (10,),
    "out_projection.weight": (7, 10), "out_projection.bias": (7,),
    "embedding.weight": (4, 6),
    "inner_attention.feature_map.omega": (6, 3),
}
NAMES = list(SHAPES)


def values(name, dtype):
    j = NAMES.index(name)
    n = int(np.prod(SHAPES[name]))
    i = np.arange(n)
    return (((7 * i + 3 * j) % 23 - 11) / 8.0).astype(dtype).reshape(SHAPES[name])


f32 = {n: values(n, np.float32) for n in NAMES if n != "embedding.weight"}
f32["inner_attention.step"] = np.array([5], dtype=np.int64)  # an integer buffer: not ours
save_file(f32, "fast_transformers_f32.safetensors", metadata={"format": "pt", "heads": "2"})

mixed = {n: values(n, np.float16) for n in NAMES if n != "inner_attention.feature_map.omega"}
mixed["embedding.weight"] = values("embedding.weight", np.float64)
save_file(mixed, "mixed_f16_f64.safetensors",
          metadata={"heads": "1", "vocab": "ACGT", "feature_map": "relu", "eps": "0.001"})
