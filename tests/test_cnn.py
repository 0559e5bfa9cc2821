"""conv2d / conv_output_size (SPEC section 6): torch semantics on NumPy arrays.

Checked against an independent NumPy reference (tap loop with its own index maps for the padding
modes) always, and against torch.nn.functional.conv2d / torch.nn.Conv2d when torch is installed.
Every test runs on both backends (autouse fixture in conftest.py).
"""
import numpy as np
import pytest

from bttbfft import conv2d, conv_output_size, convolution_matrix, convolve2d, correlate2d
from bttbfft._cnn import _conv2d_path

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")

TOL = {np.float32: 1e-5, np.float64: 1e-12}


# ------------------------------------------------------------------------------------------------
# independent reference
def _index_map(p, size, mode):
    """Source index of padded position p (in input coordinates), -1 for a zero."""
    if mode == "zeros":
        return np.where((p >= 0) & (p < size), p, -1)
    if mode == "replicate":
        return np.clip(p, 0, size - 1)
    if mode == "circular":
        return p % size
    # reflect without repeating the edge: period 2*(size-1)
    if size == 1:
        return np.zeros_like(p)
    q = np.abs(p) % (2 * (size - 1))
    return np.where(q >= size, 2 * (size - 1) - q, q)


def ref_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    unb = x.ndim == 3
    if unb:
        x = x[None]
    N, C, H, W = x.shape
    O, cg, kh, kw = w.shape
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    dh, dw = (dilation, dilation) if np.isscalar(dilation) else dilation
    if padding == "valid":
        pt = pb = pl = pr = 0
    elif padding == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pt, pb, pl, pr = th // 2, th - th // 2, tw // 2, tw - tw // 2
    else:
        ph, pw = (padding, padding) if np.isscalar(padding) else padding
        pt = pb = ph
        pl = pr = pw
    rows = _index_map(np.arange(-pt, H + pb), H, padding_mode)
    cols = _index_map(np.arange(-pl, W + pr), W, padding_mode)
    xe = np.concatenate([x, np.zeros((N, C, 1, W))], axis=2)
    xe = np.concatenate([xe, np.zeros((N, C, H + 1, 1))], axis=3)
    xp = xe[:, :, rows[:, None], cols[None, :]]          # -1 indexes the zero row/column
    Hp, Wp = xp.shape[2:]
    Ho = (Hp - dh * (kh - 1) - 1) // sh + 1
    Wo = (Wp - dw * (kw - 1) - 1) // sw + 1
    og = O // groups
    out = np.zeros((N, O, Ho, Wo))
    for o in range(O):
        g = o // og
        for c in range(cg):
            for a in range(kh):
                for bb in range(kw):
                    patch = xp[:, g * cg + c, a * dh: a * dh + sh * (Ho - 1) + 1: sh,
                               bb * dw: bb * dw + sw * (Wo - 1) + 1: sw]
                    out[:, o] += w[o, c, a, bb] * patch
        if b is not None:
            out[:, o] += b[o]
    return out[0] if unb else out


def maxerr(y, ref):
    return np.abs(np.asarray(y, dtype=np.float64) - ref).max() / max(np.abs(ref).max(), 1e-300)


# (input shape, weight shape, kwargs)
CONFIGS = [
    ((2, 4, 9, 11), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    ((1, 3, 16, 16), (4, 3, 5, 5), dict(padding="same")),
    ((1, 3, 16, 15), (4, 3, 4, 4), dict(padding="same", dilation=2)),
    ((2, 6, 20, 17), (6, 1, 7, 7), dict(groups=6, padding=3, stride=2)),
    ((3, 5, 12, 12), (4, 5, 1, 1), dict()),
    ((1, 2, 13, 10), (3, 2, 3, 3), dict(padding="valid", stride=3)),
    ((2, 3, 10, 10), (2, 3, 3, 3), dict(padding=2, padding_mode="reflect")),
    ((1, 3, 10, 9), (2, 3, 3, 3), dict(padding=(2, 4), padding_mode="circular")),
    ((1, 3, 10, 10), (2, 3, 4, 3), dict(padding="same", padding_mode="replicate")),
    ((1, 2, 8, 8), (2, 2, 3, 3), dict(padding=(1, 2), stride=2, padding_mode="reflect",
                                      dilation=2)),
    ((1, 4, 24, 24), (4, 1, 15, 15), dict(padding="same", groups=4, padding_mode="circular")),
    ((2, 4, 12, 12), (6, 4, 3, 3), dict(padding=1)),
]
IDS = [f"cfg{i}" for i in range(len(CONFIGS))]


def _data(xs, ws, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    return x, w, b


def _torch_ref(x, w, b, kw):
    kw = dict(kw)
    mode = kw.pop("padding_mode", "zeros")
    tdt = torch.float64 if x.dtype == np.float64 else torch.float32
    m = torch.nn.Conv2d(x.shape[1], w.shape[0], w.shape[2:], bias=b is not None,
                        padding_mode=mode, **kw).to(tdt)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w))
        if b is not None:
            m.bias.copy_(torch.from_numpy(b))
        return m(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["auto", "direct", "fft"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_against_numpy_reference(cfg, path, dtype):
    xs, ws, kw = cfg
    x, w, b = _data(xs, ws, dtype)
    ref = ref_conv2d(x, w, b, **kw)
    y = conv2d(x, w, b, **kw) if path == "auto" else _conv2d_path(x, w, path, b, **kw)
    assert y.dtype == dtype and y.shape == ref.shape
    assert maxerr(y, ref) <= TOL[dtype]


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["auto", "direct", "fft"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_against_torch(cfg, path, dtype):
    xs, ws, kw = cfg
    x, w, b = _data(xs, ws, dtype, seed=1)
    ref = _torch_ref(x, w, b, kw)
    y = conv2d(x, w, b, **kw) if path == "auto" else _conv2d_path(x, w, path, b, **kw)
    assert y.dtype == dtype and y.shape == ref.shape
    assert maxerr(y, ref) <= TOL[dtype]


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functional_conv2d_and_unbatched(dtype):
    x, w, b = _data((3, 11, 9), (5, 3, 3, 2), dtype)
    y = conv2d(x, w, b, stride=2, padding=1)
    ref = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=2,
                   padding=1).numpy()
    assert y.shape == ref.shape == (5, 6, 5)
    assert maxerr(y, ref) <= TOL[dtype]
    y = conv2d(x[None], w, None, padding="same")
    ref = F.conv2d(torch.from_numpy(x[None]), torch.from_numpy(w), padding="same").numpy()
    assert maxerr(y, ref) <= TOL[dtype]


@needs_torch
def test_large_kernel_depthwise_fft_float32():
    x, w, b = _data((1, 8, 64, 64), (8, 1, 31, 31), np.float32)
    ref = _torch_ref(x, w, b, dict(padding=15, groups=8))
    y = conv2d(x, w, b, padding=15, groups=8)
    assert maxerr(y, ref) <= 1e-5


def test_large_kernel_depthwise_reference_float64():
    x, w, b = _data((1, 2, 40, 40), (2, 1, 17, 17), np.float64)
    ref = ref_conv2d(x, w, b, padding=8, groups=2)
    for path in ("direct", "fft"):
        assert maxerr(_conv2d_path(x, w, path, b, padding=8, groups=2), ref) <= 1e-12


# ------------------------------------------------------------------------------------------------
# relation to convolution_matrix / convolve2d / correlate2d
def test_textbook_3x3_input_2x2_kernel():
    x = np.arange(1.0, 10.0).reshape(3, 3)
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    # cross-correlation, valid: [[37, 47], [67, 77]]
    y = conv2d(x[None, None], k[None, None])[0, 0]
    np.testing.assert_allclose(y, [[37.0, 47.0], [67.0, 77.0]])
    np.testing.assert_allclose(y, correlate2d(x, k, "valid"))
    A = convolution_matrix(k[::-1, ::-1], (3, 3), "valid")
    assert A.shape == (4, 9)
    np.testing.assert_allclose(A @ x.ravel(), y.ravel())
    # full convolution = conv2d with the flipped kernel and padding k-1
    Af = convolution_matrix(k, (3, 3), "full")
    yf = conv2d(x[None, None], k[::-1, ::-1][None, None], padding=1)[0, 0]
    np.testing.assert_allclose(Af @ x.ravel(), yf.ravel())
    np.testing.assert_allclose(yf, convolve2d(x, k))


@pytest.mark.parametrize("seed", [0, 1])
def test_convolution_matrix_multichannel(seed):
    rng = np.random.default_rng(seed)
    N, C, O, H, W, k = 2, 3, 4, 7, 6, 3
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((O, C, k, k))
    for padding, mode in ((0, "valid"), (1, "same"), (2, "full")):
        y = conv2d(x, w, padding=padding)
        for n in range(N):
            for o in range(O):
                acc = sum(convolution_matrix(w[o, c, ::-1, ::-1], (H, W), mode) @ x[n, c].ravel()
                          for c in range(C))
                np.testing.assert_allclose(y[n, o].ravel(), acc, rtol=1e-12, atol=1e-12)
                acc2 = sum(convolve2d(x[n, c], w[o, c, ::-1, ::-1], mode) for c in range(C))
                np.testing.assert_allclose(y[n, o], acc2, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------------
def test_conv_output_size():
    assert conv_output_size(224, 7, stride=2, padding=3) == 112
    assert conv_output_size(56, 3, padding=1) == 56
    assert conv_output_size(10, 3, dilation=2) == 6
    assert conv_output_size(5, 3, stride=2) == 2
    for size, k, s, p, d in [(17, 4, 3, 2, 2), (8, 1, 1, 0, 1), (9, 3, 2, 0, 3)]:
        expect = (size + 2 * p - d * (k - 1) - 1) // s + 1
        assert conv_output_size(size, k, s, p, d) == expect
        x = np.zeros((1, 1, size, size))
        assert conv2d(x, np.zeros((1, 1, k, k)), stride=s, padding=p,
                      dilation=d).shape[-1] == expect
    with pytest.raises(ValueError):
        conv_output_size(10, 0)
    with pytest.raises(ValueError):
        conv_output_size(10, 3, stride=0)
    with pytest.raises(TypeError):
        conv_output_size(10.5, 3)


def test_dtype_rules():
    x = np.ones((1, 2, 5, 5), dtype=np.float32)
    w = np.ones((1, 2, 3, 3), dtype=np.float64)
    assert conv2d(x, w).dtype == np.float32
    assert conv2d(x.astype(np.float64), w.astype(np.float32)).dtype == np.float64
    with pytest.raises(TypeError):
        conv2d(x.astype(np.int64), w)
    with pytest.raises(TypeError):
        conv2d(x.astype(np.complex128), w)
    with pytest.raises(TypeError):
        conv2d("abc", w)
    with pytest.raises(TypeError):
        conv2d(x, w.astype(np.complex64))


@pytest.mark.parametrize("kwargs,match", [
    (dict(padding="same", stride=2), "strided"),
    (dict(padding="full"), "padding"),
    (dict(padding=-1), "padding"),
    (dict(stride=0), "stride"),
    (dict(dilation=(1, 0)), "dilation"),
    (dict(groups=3), "groups"),
    (dict(groups=0), "groups"),
    (dict(padding_mode="wrap", padding=1), "padding_mode"),
    (dict(padding_mode="reflect", padding=6), "reflect"),
    (dict(padding_mode="circular", padding=7), "circular"),
    (dict(dilation=4), "Kernel size"),
])
def test_bad_arguments(kwargs, match):
    x = np.ones((1, 2, 6, 6))
    w = np.ones((2, 2, 3, 3))
    with pytest.raises(ValueError, match=match):
        conv2d(x, w, **kwargs)


def test_bad_shapes():
    x = np.ones((1, 4, 6, 6))
    with pytest.raises(ValueError, match="channels"):
        conv2d(x, np.ones((2, 3, 3, 3)))
    with pytest.raises(ValueError):
        conv2d(x, np.ones((2, 4, 3)))
    with pytest.raises(ValueError):
        conv2d(np.ones((6, 6)), np.ones((2, 1, 3, 3)))
    with pytest.raises(ValueError, match="bias"):
        conv2d(x, np.ones((2, 4, 3, 3)), bias=np.ones(3))
    with pytest.raises(ValueError):
        conv2d(x, np.ones((3, 2, 3, 3)), groups=2)   # 3 outputs not divisible by 2


def test_inputs_not_modified_and_nan():
    x, w, b = _data((1, 2, 8, 8), (3, 2, 3, 3), np.float64)
    copies = [a.copy() for a in (x, w, b)]
    for path in ("direct", "fft"):
        _conv2d_path(x, w, path, b, padding=1, padding_mode="reflect")
    for a, a0 in zip((x, w, b), copies):
        np.testing.assert_array_equal(a, a0)
    x[0, 0, 4, 4] = np.nan
    y = conv2d(x, w, b, padding=1)
    assert np.isnan(y[0, :, 3:6, 3:6]).all() and np.isfinite(y[0, :, 0, 0]).all()


# ------------------------------------------------------------------------------------------------
# inf and NaN stay local (as torch's direct computation), on every path
def _assert_same_nonfinite(y, ref, tol):
    """The same inf and NaN entries with the same values; the finite ones within tol."""
    np.testing.assert_array_equal(np.where(np.isfinite(y), 0, y),
                                  np.where(np.isfinite(ref), 0, ref))
    fin = np.isfinite(ref)
    assert maxerr(np.where(fin, y, 0), np.where(fin, ref, 0)) <= tol


NONFINITE_CONFIGS = [
    ((2, 4, 40, 36), (6, 2, 11, 9), dict(stride=(2, 1), padding=(3, 2), dilation=(1, 2), groups=2)),
    ((1, 3, 64, 64), (4, 3, 13, 13), dict(padding="same", padding_mode="reflect")),
    ((1, 4, 40, 40), (4, 1, 15, 15), dict(padding=7, groups=4, padding_mode="circular")),
    ((2, 2, 45, 41), (3, 2, 9, 9), dict(stride=3, dilation=2, padding=4,
                                        padding_mode="replicate")),
    ((1, 2, 64, 64), (2, 2, 25, 25), dict()),
]


def _nonfinite_data(xs, ws, dtype, count, seed):
    x, w, b = _data(xs, ws, dtype, seed)
    rng = np.random.default_rng(seed)
    x.flat[rng.choice(x.size, count, replace=False)] = rng.choice([np.inf, -np.inf, np.nan], count)
    w.flat[rng.choice(w.size, 3, replace=False)] = 0.0          # inf * 0 = NaN
    return x, w, b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cfg", NONFINITE_CONFIGS, ids=[f"cfg{i}" for i in
                                                         range(len(NONFINITE_CONFIGS))])
def test_nonfinite_input_stays_local(cfg, dtype, monkeypatch):
    """An inf or NaN reaches only the outputs whose window holds it (it made every output NaN on
    the FFT path), with the values of a direct sum."""
    from bttbfft import _cnn
    xs, ws, kw = cfg
    fixups = []
    add_terms = _cnn._add_terms
    monkeypatch.setattr(_cnn, "_add_terms",
                        lambda out, terms: (fixups.append(terms is not None), add_terms(out, terms)))
    for count in (1, 2):
        x, w, b = _nonfinite_data(xs, ws, dtype, count, seed=count)
        x0 = x.copy()
        with np.errstate(invalid="ignore"):
            ref = ref_conv2d(x, w, b, **kw)
        for path in ("auto", "direct", "fft"):
            with np.errstate(invalid="ignore"):
                y = conv2d(x, w, b, **kw) if path == "auto" else _conv2d_path(x, w, path, b, **kw)
            assert y.dtype == dtype
            _assert_same_nonfinite(y, ref, TOL[dtype])
        np.testing.assert_array_equal(x, x0)
        if torch is not None:
            _assert_same_nonfinite(y, _torch_ref(x, w, b, kw), TOL[dtype])
    assert any(fixups)   # the FFT path with its fix-up was exercised


def test_nonfinite_repro():
    x = np.ones((1, 1, 64, 64))
    x[0, 0, 5, 5] = np.inf
    for path in ("auto", "fft"):
        y = conv2d(x, np.ones((1, 1, 25, 25))) if path == "auto" else \
            _conv2d_path(x, np.ones((1, 1, 25, 25)), path)
        assert np.isnan(y).sum() == 0 and np.isposinf(y).sum() == 36 and y[0, 0, 30, 30] == 625


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nonfinite_weight_or_many_values(dtype):
    """A non-finite weight, or non-finite values in many entries, take the direct path."""
    xs, ws, kw = NONFINITE_CONFIGS[1]
    x, w, b = _data(xs, ws, dtype, seed=3)
    x[0, 0, :6] = 0.0
    w[1, 2, 3, 4] = np.inf
    w[2, 0, 0, 0] = np.nan
    xm, _, _ = _nonfinite_data(xs, ws, dtype, x.size // 5, seed=4)
    for xx, ww in ((x, w), (xm, _data(xs, ws, dtype, seed=5)[1])):
        with np.errstate(invalid="ignore"):
            ref = ref_conv2d(xx, ww, b, **kw)
            for path in ("auto", "direct", "fft"):
                y = conv2d(xx, ww, b, **kw) if path == "auto" else \
                    _conv2d_path(xx, ww, path, b, **kw)
                _assert_same_nonfinite(y, ref, TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_native_byte_order(dtype):
    """Same result as native arrays, in native byte order (it raised TypeError)."""
    x, w, b = _data((2, 3, 9, 8), (4, 3, 3, 3), dtype)
    swapped = np.dtype(dtype).newbyteorder()
    ref = conv2d(x, w, b, padding=1)
    for args in ((x.astype(swapped), w.astype(swapped), b.astype(swapped)),
                 (x.astype(swapped), w, b), (x, w.astype(swapped), b.astype(swapped))):
        y = conv2d(*args, padding=1)
        assert y.dtype == dtype and y.dtype.isnative
        np.testing.assert_array_equal(y, ref)
    y = conv2d(x[0].astype(swapped), w.astype(swapped), padding=1)
    assert y.dtype == dtype and y.dtype.isnative
    np.testing.assert_array_equal(y, conv2d(x[0], w, padding=1))


@pytest.mark.parametrize("kwargs,match", [
    (dict(padding=3, padding_mode="reflect"), "reflect"),
    (dict(padding=(2, 2), padding_mode="reflect"), "reflect"),
    (dict(padding=(1, 3), padding_mode="circular"), "circular"),
])
def test_empty_batch_checks_padding(kwargs, match):
    """An empty batch is checked as a non-empty one (it returned an array)."""
    w = np.ones((1, 1, 3, 3))
    with pytest.raises(ValueError, match=match) as full:
        conv2d(np.zeros((1, 1, 4, 2)), w, **kwargs)
    with pytest.raises(ValueError, match=match) as empty:
        conv2d(np.zeros((0, 1, 4, 2)), w, **kwargs)
    assert str(empty.value) == str(full.value)
    if torch is not None:
        with pytest.raises((RuntimeError, ValueError)):
            _torch_ref(np.zeros((0, 1, 4, 2)), w, None, kwargs)
    y = conv2d(np.zeros((0, 1, 4, 2)), w, padding=1, padding_mode="reflect")
    assert y.shape == (0, 1, 4, 2)
