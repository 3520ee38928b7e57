"""How fast could a deep BatchNorm net's epoch be with PyTorch's own kernels and no framework overhead?

    python benchmarks/kernel_floor.py

Calls, per SGD step of the 784-30-50-80-100-120-150-10 BatchNorm + Sigmoid net at batch 64
on one thread, only the kernels its training needs (matrix products, BatchNorm forward and
backward, Sigmoid and its backward, LogSoftmax + NLL, the bias sums and the foreach momentum
update), directly, without autograd or nn.Module.  Bitwise-identical training must run these
kernels, so their time per step x 938 steps bounds an epoch from below: compare it with the
report recipe's seconds per epoch from ``bench_training.py`` to see the best ratio possible.
"""

import time

import torch

WIDTHS = [784, 30, 50, 80, 100, 120, 150, 10]
B = 64


def main() -> None:
    torch.set_num_threads(1)
    x = [torch.randn(B, w) for w in WIDTHS]
    W = [torch.randn(o, i) for i, o in zip(WIDTHS, WIDTHS[1:])]
    b = [torch.randn(o) for o in WIDTHS[1:]]
    g = [torch.randn(B, o) for o in WIDTHS[1:]]
    bn = [(torch.ones(o), torch.zeros(o), torch.zeros(o), torch.ones(o)) for o in WIDTHS[1:-1]]
    params = W + b + [t for p in bn for t in p[:2]]
    bufs = [torch.zeros_like(p) for p in params]
    grads = [torch.randn_like(p) for p in params]
    y = torch.randint(0, 10, (B,))

    def step() -> None:
        for i in range(7):
            h = torch.addmm(b[i], x[i], W[i].t())
            g[i].t().mm(x[i])
            g[i].sum(0)
            if i > 0:
                g[i].mm(W[i])
            if i < 6:
                w_, b_, rm, rv = bn[i]
                out, m, inv = torch.ops.aten.native_batch_norm(h, w_, b_, rm, rv, True, 0.1, 1e-5)
                torch.ops.aten.native_batch_norm_backward(g[i], h, w_, rm, rv, m, inv, True, 1e-5,
                                                          [True, True, True])
                torch.ops.aten.sigmoid_backward(g[i], torch.sigmoid(out))
            else:
                torch.nn.functional.nll_loss(torch.log_softmax(h, 1), y)
        torch._foreach_mul_(bufs, 0.9)
        torch._foreach_add_(bufs, grads)
        torch._foreach_add_(params, bufs, alpha=-1e-3)

    for _ in range(200):
        step()
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        step()
    us = (time.perf_counter() - start) / n * 1e6
    print(f"kernels only, one thread: {us:.0f} us per SGD step -> {us * 938 / 1e6:.2f} s per training epoch "
          "(938 steps, before the test pass)")


if __name__ == "__main__":
    main()
