#!/usr/bin/python3
# Copyright 2026 The flink-linear-attention authors
# SPDX-License-Identifier: Apache-2.0
"""PyTorch CPU reference timing of a Gated DeltaNet LM's recurrent decoding step.

Loads an FLA model directory (config.json + model.safetensors, model_type gated_deltanet, as
FLA's save_pretrained writes it or org.flinkla.model.FlaModelFiles.write), and decodes with
the per-token math of FLA's fused_recurrent path (short convolution windows, L2-normalised q/k,
gated delta rule, gated RMSNorm output, SwiGLU MLP) on one thread (torch.set_num_threads(1)),
in float32 (PyTorch's usual CPU precision) or, with --dtype float64, wholly in float64: weights
cast once at load, state and activations in float64, the arithmetic of org.flinkla's engine.  Measures tokens/s for single tokens (one call per token) and for
chunks of --chunks sizes in two forms: projections of a chunk batched per layer with the
recurrence token by token inside it (chunkN), and the same with the convolution and the gated
delta rule in their parallel chunkwise form (chunkN_parallel, see chunk_delta).  Prints one JSON
line with the rates, the largest logit difference of the two forms, and the logits of --ids for a
cross-check.

Needs only PyTorch (no FLA, Triton, einops or safetensors).  Run from anywhere:
    /usr/bin/python3 scripts/bench/gdn_step_bench.py MODEL_DIR [--seconds 5] [--chunks 64 256 1024] [--ids 1 2 3]
        [--dtype float32|float64]
"""

import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

# the dtype of the whole computation (weights, state, activations); main() sets it from --dtype
DT = torch.float32
DTYPES = {'float32': torch.float32, 'float64': torch.float64}


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = memoryview(raw)[8 + n:]
    dtypes = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'BF16': torch.bfloat16}
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        b, e = info['data_offsets']
        t = torch.frombuffer(bytearray(data[b:e]), dtype=dtypes[info['dtype']])
        out[name] = t.reshape(info['shape']).to(DT)
    return out


class GatedDeltaNetLM:
    """The decoding step; weights as DT tensors, state as a list of per-layer dicts."""

    def __init__(self, path):
        with open(os.path.join(path, 'config.json')) as f:
            c = json.load(f)
        if c.get('model_type') != 'gated_deltanet':
            raise SystemExit(f'{path}: model_type {c.get("model_type")!r} is not gated_deltanet')
        self.w = read_safetensors(os.path.join(path, 'model.safetensors'))
        self.L = c['num_hidden_layers']
        self.H = c['num_heads']
        self.HV = c.get('num_v_heads') or self.H
        self.dk = c['head_dim']
        self.dv = int(self.dk * c.get('expand_v', 2.0))
        self.eps = c.get('norm_eps', 1e-6)
        self.K = c.get('conv_size', 4)
        self.use_gate = c.get('use_gate', True)
        self.neg = c.get('allow_neg_eigval', False)
        if not c.get('use_short_conv', True):
            raise SystemExit('this timing script expects use_short_conv')
        self.lm_head = self.w['model.embeddings.weight'] if c.get('tie_word_embeddings') else self.w['lm_head.weight']
        self.emb = self.w['model.embeddings.weight']
        w = self.w
        self.layers = []
        for i in range(self.L):
            a = f'model.layers.{i}.attn.'
            p = f'model.layers.{i}.'
            lw = dict(
                attn_norm=w[p + 'attn_norm.weight'], mlp_norm=w[p + 'mlp_norm.weight'],
                # q | k | v | g | a | b in one matrix: one GEMM per layer and chunk
                win=torch.cat([w[a + 'q_proj.weight'], w[a + 'k_proj.weight'], w[a + 'v_proj.weight']]
                              + ([w[a + 'g_proj.weight']] if self.use_gate else [])
                              + [w[a + 'a_proj.weight'], w[a + 'b_proj.weight']]).contiguous(),
                conv=torch.cat([w[a + 'q_conv1d.weight'], w[a + 'k_conv1d.weight'],
                                w[a + 'v_conv1d.weight']])[:, 0, :].contiguous(),
                negA=-torch.exp(w[a + 'A_log']), dt_bias=w[a + 'dt_bias'], o_norm=w[a + 'o_norm.weight'],
                o_proj=w[a + 'o_proj.weight'],
                gate_up=torch.cat([w[p + 'mlp.gate_proj.weight'], w[p + 'mlp.up_proj.weight']]).contiguous(),
                down=w[p + 'mlp.down_proj.weight'], I=w[p + 'mlp.gate_proj.weight'].shape[0])
            self.layers.append(lw)
        self.final_norm = w['model.norm.weight']
        self.key_dim = self.H * self.dk
        self.value_dim = self.HV * self.dv

    def new_state(self):
        C = 2 * self.key_dim + self.value_dim
        return [dict(S=torch.zeros(self.HV, self.dv, self.dk, dtype=DT),
                     win=torch.zeros(C, self.K - 1, dtype=DT)) for _ in range(self.L)]

    @staticmethod
    def rms(x, w, eps):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def block(self, ids, state, parallel=False):
        """Logits [n, vocab] for the token ids of one block; advances state.  parallel: the
        short convolution as one conv1d over the block and the gated delta rule in its chunkwise
        (WY / UT-transform) form, chunks of 64 (see chunk_delta); else token by token."""
        h = self.emb[ids]                                      # [n, D]
        n = h.shape[0]
        kd, vd, H, HV, dk, dv = self.key_dim, self.value_dim, self.H, self.HV, self.dk, self.dv
        scale = dk ** -0.5
        for lw, st in zip(self.layers, state):
            x = self.rms(h, lw['attn_norm'], self.eps)
            P = F.linear(x, lw['win'])                         # [n, width]
            C = 2 * kd + vd
            qkv = P[:, :C]
            off = C
            g = None
            if self.use_gate:
                g = P[:, off:off + vd]
                off += vd
            a = P[:, off:off + HV]
            b = P[:, off + HV:off + 2 * HV]
            beta = torch.sigmoid(b) * (2.0 if self.neg else 1.0)
            gd = torch.exp(lw['negA'] * F.softplus(a + lw['dt_bias']))  # exp(g) per value head
            o = torch.empty(n, HV, dv, dtype=DT)
            win, S, cw = st['win'], st['S'], lw['conv']
            if parallel:
                # causal depthwise convolution of [window | block] at once, window = the last K-1 inputs
                X = torch.cat([win.t(), qkv], 0)                              # [K-1+n, C]
                y = F.conv1d(X.t().unsqueeze(0), cw.unsqueeze(1), groups=C)[0].t()  # [n, C]
                win.copy_(X[n:].t() if self.K > 1 else win)
                y = F.silu(y)
                q = y[:, :kd].view(n, H, dk)
                k = y[:, kd:2 * kd].view(n, H, dk)
                v = y[:, 2 * kd:].view(n, HV, dv)
                q = q / torch.sqrt(q.pow(2).sum(-1, keepdim=True) + 1e-6) * scale
                k = k / torch.sqrt(k.pow(2).sum(-1, keepdim=True) + 1e-6)
                if HV != H:
                    q = q.repeat_interleave(HV // H, 1)
                    k = k.repeat_interleave(HV // H, 1)
                o = chunk_delta(q, k, v, beta, torch.log(gd), S)
            for t in range(0 if not parallel else n, n):
                xt = qkv[t]
                # short convolution over the window of the last K-1 inputs, then SiLU
                y = (cw[:, :-1] * win).sum(-1) + cw[:, -1] * xt
                win[:, :-1] = win[:, 1:].clone()
                win[:, -1] = xt
                y = F.silu(y)
                q = y[:kd].view(H, dk)
                k = y[kd:2 * kd].view(H, dk)
                v = y[2 * kd:].view(HV, dv)
                q = q / torch.sqrt(q.pow(2).sum(-1, keepdim=True) + 1e-6) * scale
                k = k / torch.sqrt(k.pow(2).sum(-1, keepdim=True) + 1e-6)
                if HV != H:
                    q = q.repeat_interleave(HV // H, 0)
                    k = k.repeat_interleave(HV // H, 0)
                S.mul_(gd[t][:, None, None])
                u = beta[t][:, None] * (v - torch.einsum('hvk,hk->hv', S, k))
                S.add_(u[:, :, None] * k[:, None, :])
                o[t] = torch.einsum('hvk,hk->hv', S, q)
            o = self.rms(o, lw['o_norm'], self.eps)
            if g is not None:
                o = o * F.silu(g.view(n, HV, dv))
            h = h + F.linear(o.reshape(n, vd), lw['o_proj'])
            m = self.rms(h, lw['mlp_norm'], self.eps)
            gu = F.linear(m, lw['gate_up'])
            I = lw['I']
            h = h + F.linear(F.silu(gu[:, :I]) * gu[:, I:], lw['down'])
        return F.linear(self.rms(h, self.final_norm, self.eps), self.lm_head)


def chunk_delta(q, k, v, beta, g, S, C=64):
    """The gated delta rule over a block in chunks of C (FLA's chunk form, written out in torch).
    Per head, with S the state [d_v, d_k] as the token loop holds it, the recurrence is
    S_t = a_t S_{t-1} + beta_t (v_t - a_t S_{t-1} k_t) k_t^T, o_t = S_t q_t, a_t = exp(g_t).
    Inside a chunk with G_i = sum_{j<=i} g_j: T = (I + L)^-1, L_ij = beta_i k_i.k_j e^{G_i-G_j}
    (i > j); W = T (beta k e^G), U = T (beta v); then V' = U - W S^T, o = (q e^G) S^T +
    ((q k^T) o e^{G_i-G_j}, i >= j) V', and S <- e^{G_C} S + V'^T (k e^{G_C - G}).
    q, k [n, H, d_k]; v [n, H, d_v]; beta, g [n, H]; S [H, d_v, d_k] updated in place."""
    n, H, dk = k.shape
    dv = v.shape[-1]
    out = torch.empty(n, H, dv, dtype=v.dtype)
    St = S.transpose(1, 2).clone()                                  # [H, d_k, d_v]
    for c0 in range(0, n, C):
        c1 = min(n, c0 + C)
        m = c1 - c0
        qc = q[c0:c1].transpose(0, 1)                               # [H, m, d_k]
        kc = k[c0:c1].transpose(0, 1)
        vc = v[c0:c1].transpose(0, 1)                               # [H, m, d_v]
        bc = beta[c0:c1].t()                                        # [H, m]
        G = torch.cumsum(g[c0:c1].t(), -1)                          # [H, m]
        decay = torch.exp(G[:, :, None] - G[:, None, :]).tril()     # e^{G_i - G_j}, i >= j
        kb = kc * bc[..., None]
        eye = torch.eye(m, dtype=v.dtype)
        L = (kb @ kc.transpose(1, 2) * decay).tril(-1)
        T = torch.linalg.solve_triangular(eye + L, eye.expand(H, m, m), upper=False, unitriangular=True)
        W = T @ (kb * torch.exp(G)[..., None])
        U = T @ (vc * bc[..., None])
        Vn = U - W @ St                                             # [H, m, d_v]
        attn = (qc @ kc.transpose(1, 2)) * decay
        out[c0:c1] = ((qc * torch.exp(G)[..., None]) @ St + attn @ Vn).transpose(0, 1)
        gl = G[:, -1]
        St = St * torch.exp(gl)[:, None, None] + (kc * torch.exp(gl[:, None] - G)[..., None]).transpose(1, 2) @ Vn
    S.copy_(St.transpose(1, 2))
    return out


def rate(fn, seconds):
    """(tokens per wall-clock second, tokens per CPU second of this thread) of fn(), which returns
    the tokens it decoded: a warm-up pass, then a timed one.  With one torch thread the operators
    run on this thread, so the second is the per-core rate on a shared machine."""
    for timed in (False, True):
        t0, c0, n = time.perf_counter(), time.thread_time(), 0
        while time.perf_counter() - t0 < seconds:
            n += fn()
        if timed:
            return n / (time.perf_counter() - t0), n / (time.thread_time() - c0)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model_dir')
    ap.add_argument('--seconds', type=float, default=5.0)
    ap.add_argument('--chunks', type=int, nargs='*', default=[64, 256, 1024])
    ap.add_argument('--ids', type=int, nargs='*', default=[1, 2, 3, 4])
    ap.add_argument('--dtype', choices=sorted(DTYPES), default='float32',
                    help='dtype of weights, state and activations (float32: PyTorch\'s usual speed; '
                         'float64: the same arithmetic as the Java engine)')
    a = ap.parse_args(argv)
    global DT
    DT = DTYPES[a.dtype]
    torch.set_num_threads(1)
    torch.set_grad_enabled(False)
    m = GatedDeltaNetLM(a.model_dir)
    V = m.emb.shape[0]
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, V, (4096,), generator=g)

    st = m.new_state()
    pos = [0]

    def single():
        for _ in range(16):
            m.block(ids[pos[0] % 4096:pos[0] % 4096 + 1], st)
            pos[0] += 1
        return 16

    single_rate = rate(single, a.seconds)
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(),
              'single_tokens_per_s': single_rate[0], 'single_tokens_per_cpu_s': single_rate[1]}
    for size in a.chunks:
        for parallel in (False, True):
            stc = m.new_state()
            cp = [0]

            def chunk():
                o = cp[0] % (4096 - size)
                m.block(ids[o:o + size], stc, parallel)
                cp[0] += size
                return size

            r = rate(chunk, a.seconds)
            name = f'chunk{size}' + ('_parallel' if parallel else '')
            result[name + '_tokens_per_s'] = r[0]
            result[name + '_tokens_per_cpu_s'] = r[1]
    # the two forms compute the same logits (up to the rounding of DT)
    sa, sb = m.new_state(), m.new_state()
    la, lb = m.block(ids[:300], sa), m.block(ids[:300], sb, True)
    result['parallel_vs_loop_max_abs_logit_difference'] = float((la - lb).abs().max())
    st3 = m.new_state()
    result['ids'] = a.ids
    result['logits'] = [m.block(torch.tensor([i]), st3)[0].tolist() for i in a.ids]
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
