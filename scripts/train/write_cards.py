#!/usr/bin/env python3
# Copyright 2026 The flink-linear-attention authors
# SPDX-License-Identifier: Apache-2.0
"""Writes MODEL_CARD.md of each DNA model from its run report (scripts/train/reports/<model>.json,
written by train_dna.py), so that every number in a card is the one the run measured.

    python3 scripts/train/write_cards.py            # all reports present
    python3 scripts/train/write_cards.py gdn        # one model
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODELS = os.path.join(REPO, "src", "main", "resources", "models", "dna")
NAMES = ["gdn", "linear-elu", "softmax"]

DATA = """## Data

- **Training:** human chromosome 6, GenBank record BA000025 (2,229,817 bases of the MHC region,
  all A/C/G/T), as written by `scripts/fetch-chr6.sh data/BA000025.fa.gz` (from Debian's
  `emboss-test` 6.6.0+dfsg-12 package). The last 100,000 bases are held out as a validation set
  (only used to print a validation loss during training); the model is trained on random windows
  of the first 2,129,817.
- **Evaluation (never trained on):** the first 100,000 bases of the chr1 fragment shipped at
  `src/main/resources/data/humanchr1_frag.fa.gz`, streamed as **one** sequence with the state
  carried across all 100,000 bases. Bits per base = mean over bases 2..N of
  −log2 p(base_t | bases < t) (the first base has no prediction).
- **Markov baseline:** adaptive order-k model over the 5 symbols, counts learned while streaming
  the same bases (add-½: p = (n(ctx,x) + ½) / (n(ctx) + 5/2), counts from earlier positions only;
  the first k bases get 1/5). k is chosen on the training data: the k with the lowest mean bits
  over five evenly spaced 100,000-base pieces of chr6 (k = 0..12).
"""


def f3(x):
    return f"{x:.4f}"


def rel(pair):
    return f"{pair[0]:.1e}"


def training_section(r):
    tr = r["train"]
    capped = tr["steps_done"] < r["steps"]
    lines = [
        "## Training",
        "",
        "```",
        r["command"],
        "```",
        "",
        f"- {tr['steps_done']} AdamW steps" + (f" (of {r['steps']} planned; the wall-clock cap stopped it)"
                                                 if capped else "")
        + f", batch {r['batch']} × context {r['context']} bases, peak learning rate {r['lr']:g} "
          f"(linear warm-up over 50 steps, cosine decay to 10%), betas (0.9, 0.95), weight decay 0.1 "
          f"on matrices, gradient clipping at 1.0, seed {r['seed']}; float32.",
        f"- Wall time: {tr['wall_s'] / 60:.1f} minutes of training on one CPU thread "
        f"(PyTorch {r['torch']}, `torch.set_num_threads(1)`, OpenBLAS limited to one thread), "
        f"on a machine shared with other work.",
        f"- Validation (held-out end of chr6, 8 windows of {r['context']}): "
        f"{f3(tr['final_val_bits'])} bits/base at the end.",
        "",
    ]
    return lines


def results_section(r, extra=None):
    e, mk = r["eval"], r["markov"]
    lines = [
        "## Results on the held-out chr1 fragment",
        "",
        "| | bits/base, 100,000 bases | first 10,000 | first 2,000 |",
        "|---|---|---|---|",
        f"| this model | **{f3(e['bits_100k'])}** | {f3(e['bits_10k'])} | {f3(e['bits_2000'])} |",
    ]
    if extra:
        lines += extra
    lines += [
        f"| adaptive order-{mk['k']} Markov (k chosen on chr6) | {f3(mk['bits_100k'])} | "
        f"{f3(mk['bits_10k'])} | {f3(mk['bits_2000'])} |",
        "",
        f"The same Markov model over the 4 symbols ACGT only (this fragment has no N): "
        f"{f3(mk['bits_100k_alphabet_acgt'])} bits/base. The best k in hindsight on the evaluation "
        f"bases themselves would be k = {min(mk['eval_bits_by_k'], key=mk['eval_bits_by_k'].get)} "
        f"({f3(min(mk['eval_bits_by_k'].values()))}). The uniform model is log2 5 = 2.3219; "
        f"ignoring N, log2 4 = 2. Evaluating the 100,000 bases in float64 took "
        f"{e['eval_s'] / 60:.1f} minutes on the same shared machine.",
        "",
    ]
    return lines


def fixture_section(name, r):
    e = r["eval"]
    return [
        "## Exactness fixture",
        "",
        f"`src/test/resources/fixtures/dna/{name}.expected.json`: the first 2,000 bases of the chr1 "
        f"fragment, their ids, the 5 logits after every base and the bits per base over bases "
        f"2..2000 ({f3(e['bits_2000'])}), computed in float64 from the shipped (float32) weights by a "
        f"token-by-token recurrent pass — {e['fixture_source']}.",
        "",
    ] + ([
        "`scripts/fixtures/dna_gdn_check.py /path/to/flash-linear-attention` recomputes these logits "
        "from the shipped checkpoint with FLA's reference code (its naive recurrent and chunked "
        "gated delta rule kernels in float64) and checks the fixture against them: they agree to "
        "1.6e-14 (logits up to 15.7).",
        "",
    ] if name == "gdn" else [])


def card_gdn(r):
    c = json.load(open(os.path.join(MODELS, "gdn", "config.json")))
    H, dk, L, K = c["num_heads"], c["head_dim"], c["num_hidden_layers"], c["conv_size"]
    dv = int(dk * c["expand_v"])
    rec = H * dk * dv
    conv = (K - 1) * (2 * H * dk + H * dv)
    per = rec + conv
    st, e = r["selftest"], r["eval"]
    out = [
        "# Gated DeltaNet DNA next-base model (`gdn`)",
        "",
        "A small causal language model over the bases `ACGTN` (ids 0..4 in that order): after each "
        "base it gives 5 logits for the next one. Gated DeltaNet (Yang, Kautz, Hatamizadeh, "
        "*Gated Delta Networks*, 2024), stored exactly in flash-linear-attention's (FLA) checkpoint "
        "format, so FLA's `GatedDeltaNetForCausalLM` can load it.",
        "",
        "## Files",
        "",
        "- `config.json`: every key of FLA's `GatedDeltaNetConfig` with this model's value, "
        "`model_type: gated_deltanet`, `architectures`, `torch_dtype`, plus `\"vocab\": \"ACGTN\"`. "
        "`bos_token_id`/`eos_token_id`/`pad_token_id` are null: the vocabulary has no special tokens.",
        "- `model.safetensors`: float32 tensors named as in FLA's "
        "`GatedDeltaNetForCausalLM.state_dict()` (`model.embeddings.weight`, "
        "`model.layers.{i}.attn_norm.weight`, `model.layers.{i}.attn.{A_log,dt_bias}`, "
        "`model.layers.{i}.attn.{q,k,v,a,b,g,o}_proj.weight`, "
        "`model.layers.{i}.attn.{q,k,v}_conv1d.weight` [C,1,4], `model.layers.{i}.attn.o_norm.weight`, "
        "`model.layers.{i}.mlp_norm.weight`, `model.layers.{i}.mlp.{gate,up,down}_proj.weight`, "
        "`model.norm.weight`, `lm_head.weight`; embeddings not tied).",
        "",
        "## Architecture",
        "",
        f"hidden {c['hidden_size']}, {L} layers, {H} heads, head_dim (d_k) {dk}, expand_v "
        f"{c['expand_v']:g} (d_v = {dv}), short convolution {K} (SiLU, no bias) on q, k and v, output "
        f"gate, SwiGLU MLP with intermediate size {c['intermediate_size']}, RMSNorm eps "
        f"{c['norm_eps']:g}, untied lm_head. **{r['parameters']:,} parameters.**",
        "",
        "Per layer and token (FLA `fused_recurrent` semantics, state S [d_k × d_v] per head): "
        "pre-norm residual blocks `h += attn(attn_norm(h)); h += mlp(mlp_norm(h))`; in attn, "
        "q, k, v = SiLU(causal depthwise conv over the last 4 projections); q, k L2-normalised "
        "(x/√(Σx²+1e-6)), q scaled by d_k^-½; β = σ(b_proj x); g = −exp(A_log)·softplus(a_proj x + "
        "dt_bias); S ← e^g·S; u = β(v − Sᵀk); S ← S + k uᵀ; o = Sᵀq; o = RMSNorm(o)·w·swish(g_proj x) "
        "per head; o_proj. Final RMSNorm and lm_head.",
        "",
        "Position information: there are no positional embeddings; order is seen only through the "
        "causal short convolution and the recurrence itself (decay and delta rule).",
        "",
        "Training used a chunkwise (WY/UT, chunk 32) form of the same recurrence; "
        "the self-test of `train_dna.py` checks it against the token-by-token recurrence in float64.",
        "",
        "## State per key",
        "",
        f"- Recurrent state: L·H·d_k·d_v = {L}·{H}·{dk}·{dv} = {L * rec:,} floats.",
        f"- Short-convolution tails (the previous K−1 = {K - 1} projected inputs of q, k and v): "
        f"L·(K−1)·(2·H·d_k + H·d_v) = {L}·{K - 1}·{2 * H * dk + H * dv} = {L * conv:,} floats.",
        f"- Total {L * per:,} floats = **{L * per * 4:,} bytes in float32** "
        f"({L * per * 8:,} bytes in float64). FLA's own cache keeps the conv state as a [C, K] window "
        f"(K instead of K−1 columns): {L * (rec + K * (2 * H * dk + H * dv)) * 4:,} bytes in float32.",
        "",
    ]
    out += [DATA] + training_section(r) + results_section(r)
    out += [
        "## Verification",
        "",
        f"- Chunkwise (training) form vs token-by-token recurrence, float64, random weights with "
        f"strong gates: max relative difference {rel(st['parallel_vs_recurrent'])} (one call) and "
        f"{rel(st['split_vs_recurrent'])} (two calls with the state handed over).",
        f"- Chunkwise delta rule vs FLA's reference `naive_recurrent_gated_delta_rule` "
        f"(fla/ops/gated_delta_rule/naive.py, loaded by path and run in float64): outputs "
        f"{rel(st['chunk_vs_fla_naive_recurrent_o'])}, final state "
        f"{rel(st['chunk_vs_fla_naive_recurrent_state'])}.",
        f"- On the shipped weights, first 2,000 chr1 bases: token-by-token recurrence vs the "
        f"streamed chunkwise pass used for the 100,000-base number: "
        f"{rel(e['recurrent_vs_stream_first2000'])}.",
        "- FLA itself (Triton kernels, transformers) cannot run here; the layer math was read from "
        "FLA's sources and is only checked against its pure-PyTorch reference recurrence.",
        "",
    ]
    out += fixture_section("gdn", r)
    return out


def card_encoder(name, r):
    from_st = __import__("struct")
    path = os.path.join(MODELS, name, "model.safetensors")
    with open(path, "rb") as f:
        (n,) = from_st.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    meta = header.pop("__metadata__")
    d = header["embedding.weight"]["shape"][1]
    L = 1 + max(int(k.split(".")[1]) for k in header if k.startswith("layers."))
    d_ff = header["layers.0.linear1.weight"]["shape"][0]
    H = int(meta["heads"])
    dk = d // H
    linear = meta["feature_map"] == "elu"
    st, e = r["selftest"], r["eval"]
    title = ("Linear-attention (elu+1) DNA next-base model (`linear-elu`)" if linear
             else "Softmax-attention DNA next-base model (`softmax`)")
    out = [
        f"# {title}",
        "",
        "A small causal language model over the bases `ACGTN` (ids 0..4 in that order): after each "
        "base it gives 5 logits for the next one. A stack of fast-transformers "
        "`RecurrentTransformerEncoderLayer`s (post-norm) with "
        + ("causal linear attention, feature map φ(x) = elu(x) + 1 (Katharopoulos et al., "
           "*Transformers are RNNs*, 2020)." if linear else
           "causal softmax attention (fast-transformers `RecurrentFullAttention`, a growing "
           "key/value cache)."),
        "",
        "## File",
        "",
        "`model.safetensors` (float32): `embedding.weight` [5, d_model], "
        "`layers.{i}.attention.{query,key,value,out}_projection.{weight,bias}`, "
        "`layers.{i}.linear1/linear2.{weight,bias}`, `layers.{i}.norm1/norm2.{weight,bias}`, "
        "`norm.{weight,bias}`, `head.{weight,bias}` [5, d_model]; `__metadata__`: "
        + ", ".join(f"{k}={v}" for k, v in meta.items()) + ".",
        "",
        "## Architecture",
        "",
        f"d_model {d}, {L} layers, {H} heads (d_k = d_v = {dk}), feed-forward {d_ff} with "
        f"{meta['activation']}, LayerNorm eps {meta['layer_norm_eps']}, final LayerNorm, linear head "
        f"with bias. **{r['parameters']:,} parameters** (about the same as the `gdn` model).",
        "",
        "Per layer and token: q, k, v = projections of x (with bias), split into heads; "
        + ("S ← S + φ(k)vᵀ, z ← z + φ(k), y = φ(q)ᵀS / (φ(q)ᵀz + eps) with eps = 1e-6"
           if linear else
           "append k, v to the cache; y = Σ_j softmax_j(q·k_j/√d_k) v_j over all cached positions")
        + "; a = out_projection(y); x = norm1(x + a); x = norm2(x + linear2(act(linear1(x)))). "
          "After the last layer: norm, head.",
        "",
        "Position information: there are no positional embeddings; the model can tell order only "
        "through causality (what it has seen so far"
        + (", summed into S and z)." if linear else ", as an unordered set of cached keys).")
        + " It was trained on windows of 2,048 bases starting from an empty state.",
        "",
        "## State per key",
        "",
    ]
    if linear:
        per = H * (dk * dk + dk)
        out += [f"L·H·(d_k·d_v + d_k) = {L}·{H}·({dk}·{dk} + {dk}) = {L * per:,} numbers: "
                f"**{L * per * 4:,} bytes in float32**, {L * per * 8:,} bytes in float64 — constant, "
                f"whatever the length of the stream.", ""]
    else:
        per = L * 2 * d
        out += [f"A key/value cache that grows with the stream: per token L·2·d_model = {L}·2·{d} = "
                f"{per} numbers = **{per * 4:,} bytes per token in float32** ({per * 8:,} in float64); "
                f"after 100,000 bases {per * 4 * 100_000 / 1e6:.1f} MB (float32). A window of the last "
                f"2,048 positions bounds it at {per * 4 * 2048:,} bytes.", ""]
    out += [DATA] + training_section(r)
    extra = None
    if not linear:
        extra = [f"| this model, attention limited to the last 2,048 positions | "
                 f"{f3(e['bits_100k_window2048'])} | {f3(e['bits_10k_window2048'])} | "
                 f"{f3(e['bits_2000'])} |"]
    out += results_section(r, extra)
    if not linear:
        out += ["The main row attends over the whole 100,000-base stream (exact full attention, "
                "computed in float64 in blocks of queries; memory was not a limit). The model never "
                "saw contexts longer than 2,048 during training; the windowed row is what the same "
                "weights give when each base attends only to the last 2,048 positions.", ""]
    else:
        out += ["The state is a plain running sum (no decay), so far into the stream each new base "
                "changes it less and less; the model was never trained beyond 2,048 positions.", ""]
    k1 = r["markov"]["eval_bits_by_k"]["1"]
    out += [f"Why it is close to an order-1 model: without positional information, attention sums "
            f"over the past without knowing which base came where, so apart from the current base "
            f"the model sees only an unordered summary of the stream. An adaptive order-1 Markov "
            f"model (previous base only) gives {f3(k1)} bits/base on the same 100,000 bases; the "
            f"Gated DeltaNet model, whose short convolution and decaying state do see order, does "
            f"better.", ""]
    out += [
        "## Verification",
        "",
        f"- Training (parallel{', chunked' if linear else ', blocked'}) form vs this script's "
        f"token-by-token recurrence, float64, random weights: max relative difference "
        f"{rel(st['parallel_vs_recurrent'])} (one call), {rel(st['split_vs_recurrent'])} (state "
        f"handed over between two calls).",
        f"- vs fast-transformers' own recurrent modules (`RecurrentTransformerEncoder` of "
        f"`RecurrentTransformerEncoderLayer`/`RecurrentAttentionLayer`/"
        f"`{'RecurrentLinearAttention' if linear else 'RecurrentFullAttention'}`, imported by path "
        f"from a checkout, float64), random weights: {rel(st['parallel_vs_fast_transformers_recurrent'])}.",
        f"- On the shipped weights, first 2,000 chr1 bases, token by token: fast-transformers vs the "
        f"streamed pass used for the 100,000-base number "
        f"{rel(e['stream_vs_fast_transformers_first2000'])}; vs this script's own recurrence "
        f"{rel(e['own_recurrent_vs_fast_transformers_first2000'])}.",
        "",
    ]
    out += fixture_section(name, r)
    return out


def main():
    names = sys.argv[1:] or [n for n in NAMES if os.path.exists(os.path.join(HERE, "reports", f"{n}.json"))]
    for name in names:
        with open(os.path.join(HERE, "reports", f"{name}.json")) as f:
            r = json.load(f)
        lines = card_gdn(r) if name == "gdn" else card_encoder(name, r)
        path = os.path.join(MODELS, name, "MODEL_CARD.md")
        with open(path, "w") as f:
            f.write("\n".join(lines).rstrip() + "\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
