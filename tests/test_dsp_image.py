"""Image block: generated C against the numpy reference, bit for bit, and its errors."""

from __future__ import annotations

import itertools
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from dsp_harness import build_block
from library_build import STRICT_C, STRICT_CXX, global_symbols, writable_bytes

from tinygen.dsp.image import (
    CHANNELS,
    OUTPUT_TYPES,
    RESIZE_MODES,
    WEIGHT_BITS,
    ImageParams,
    generate,
    geometry,
    output_table,
    parse_params,
    sample_positions,
)
from tinygen.dsp.sources import DspSources, dsp_files
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.reference.dsp.image import image_features

FORMATS = {"rgb888": 3, "gray8": 1}
INT8 = {"output_type": "int8", "scale": 0.0039215689, "zero_point": -128}


def run_c(block: DspSources, pixels: np.ndarray, workdir: Path, output_type: str) -> np.ndarray:
    out_c, dtype = ("float", np.float32) if output_type == "float32" else ("int8_t", np.int8)
    cdef = f"int {block.name}_run(const uint8_t *input, {out_c} *output);"
    ffi, lib = build_block(block, workdir, cdef)
    out = np.full(block.output_length, 99, dtype=dtype)  # garbage: every value must be written
    run = getattr(lib, f"{block.name}_run")
    assert run(ffi.from_buffer("uint8_t[]", pixels), ffi.from_buffer(f"{out_c}[]", out)) == 0
    return out


def check_block(
    params: ImageParams,
    size: tuple[int, int],
    fmt: str,
    workdir: Path,
    seed: int = 0,
    pixels: np.ndarray | None = None,
) -> np.ndarray:
    """Generate, build and run the block (random pixels unless given); C == reference bitwise."""
    width, height = size
    if pixels is None:
        rng = np.random.default_rng(seed)
        pixels = rng.integers(0, 256, width * height * FORMATS[fmt], dtype=np.uint8)
    block = generate("img", params, input_width=width, input_height=height, input_format=fmt)
    assert block.input_length == pixels.size
    assert block.working_bytes == 0
    got = run_c(block, pixels, workdir, params.output_type)
    want = image_features(pixels, params, input_width=width, input_height=height, input_format=fmt)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))
    return got


# Every path on three shapes: the camera case, an odd upscale, a tall downscale.
@pytest.mark.parametrize(
    ("fmt", "channels", "mode", "output_type"),
    list(itertools.product(FORMATS, CHANNELS, RESIZE_MODES, OUTPUT_TYPES)),
)
def test_every_path_matches_reference(
    fmt: str, channels: str, mode: str, output_type: str, tmp_path: Path
) -> None:
    quant = INT8 if output_type == "int8" else {}
    cases = [((320, 240), (96, 96)), ((5, 3), (17, 11)), ((37, 101), (9, 13))]
    for i, (size, (width, height)) in enumerate(cases):
        obj = {"channels": channels, "resize_mode": mode, "width": width, "height": height}
        params = parse_params({**obj, **quant, "fill": 37})
        check_block(params, size, fmt, tmp_path / str(i), seed=i)


# Sizes: identity, 1-pixel inputs and outputs, both aspect ratios, large factors.
SIZES = [
    ((8, 6), (8, 6)),
    ((1, 1), (4, 3)),
    ((7, 1), (1, 5)),
    ((1, 9), (3, 1)),
    ((2, 2), (1, 1)),
    ((101, 37), (13, 9)),
    ((13, 9), (101, 37)),
    ((240, 320), (96, 96)),
    ((96, 96), (160, 90)),
    ((333, 17), (5, 64)),
]


@pytest.mark.parametrize(("size", "out"), SIZES)
@pytest.mark.parametrize("mode", RESIZE_MODES)
def test_sizes_match_reference(size, out, mode: str, tmp_path: Path) -> None:
    for fmt, channels, output in (("rgb888", "Grayscale", {}), ("gray8", "RGB", INT8)):
        obj = {"channels": channels, "resize_mode": mode, "width": out[0], "height": out[1]}
        check_block(parse_params({**obj, **output}), size, fmt, tmp_path / fmt)


def test_camera_geometry() -> None:
    def geo(mode: str, w: int, h: int) -> tuple:
        g = geometry(ImageParams(resize_mode=mode), w, h)
        return g.src, g.box

    assert geo("squash", 320, 240) == ((0, 0, 320, 240), (0, 0, 96, 96))
    assert geo("fit-shortest", 320, 240) == ((40, 0, 240, 240), (0, 0, 96, 96))
    assert geo("fit-shortest", 240, 320) == ((0, 40, 240, 240), (0, 0, 96, 96))
    assert geo("fit-longest", 320, 240) == ((0, 0, 320, 240), (0, 12, 96, 72))
    assert geo("fit-longest", 240, 320) == ((0, 0, 240, 320), (12, 0, 72, 96))
    # A thin input keeps at least one pixel of resized image.
    assert geo("fit-longest", 1000, 1) == ((0, 0, 1000, 1), (0, 47, 96, 1))


def test_sample_positions_follow_half_pixel_centres() -> None:
    one = 1 << WEIGHT_BITS
    for size, count in [(320, 96), (3, 17), (96, 96), (1, 5), (9, 1), (240, 96)]:
        first, second, weight = sample_positions(10, size, count)
        exact = np.clip((np.arange(count) + 0.5) * size / count - 0.5, 0, size - 1)
        position = first - 10 + weight / one
        assert np.all(np.abs(position - exact) <= 0.5 / one)
        assert np.all((second == np.minimum(first + 1, 10 + size - 1)) & (weight < one))
        if size == count:
            assert np.array_equal(first - 10, np.arange(count)) and not weight.any()


def test_output_tables() -> None:
    # Float features are Edge Impulse's pixel / 255 (float64) rounded to float32.
    floats = output_table(ImageParams())
    assert np.array_equal(floats, (np.arange(256) / 255.0).astype(np.float32))
    # int8 with the usual image input quantization is pixel - 128.
    q = output_table(parse_params(INT8))
    assert np.array_equal(q.astype(int), np.arange(256) - 128)
    # Saturation, and halves away from zero: 2 / 255 / (4 / 255) = 0.5 -> 1.
    q = output_table(parse_params({"output_type": "int8", "scale": 4 / 255, "zero_point": 100}))
    assert q[2] == 101 and q.max() == 127 and q.dtype == np.int8


def test_grayscale_is_ei_luma_rounded(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    # Random pixels and ones whose 16-bit luma ends in exactly one half (rounded up).
    halves = [[0, 52, 184], [173, 0, 191], [4, 56, 188]]
    rgb = np.concatenate([rng.integers(0, 256, (37, 3)), halves]).astype(np.uint8)
    params = parse_params({"channels": "Grayscale", "width": 40, "height": 1})
    got = check_block(params, (40, 1), "rgb888", tmp_path, pixels=rgb.reshape(-1))
    ei = rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    assert np.all(np.abs(got - ei) <= 0.5 / 255 + 1e-6)
    exact = rgb[-3:].astype(np.int64) @ np.array([19595, 38470, 7471]) / 65536
    assert np.array_equal(np.round(got[-3:] * 255), np.floor(exact) + 1)


def read_bmp(path: Path) -> tuple[np.ndarray, int, int, int]:
    """Pixels of an uncompressed 8-bit (palette) or 24-bit BMP: (bytes, width, height, bpp).

    8-bit images come back as one palette byte per pixel when the palette is gray,
    24-bit ones as R, G, B; rows top to bottom.
    """
    data = path.read_bytes()
    assert data[:2] == b"BM"
    offset = struct.unpack_from("<I", data, 10)[0]
    width, height, _, bits, compression = struct.unpack_from("<iiHHI", data, 18)
    assert compression == 0 and bits in (8, 24)
    stride = (width * bits // 8 + 3) // 4 * 4
    rows = [
        data[offset + r * stride : offset + r * stride + width * bits // 8]
        for r in range(abs(height))
    ]
    if height > 0:
        rows.reverse()
    pixels = np.frombuffer(b"".join(rows), dtype=np.uint8)
    if bits == 24:
        return pixels.reshape(-1, 3)[:, ::-1].reshape(-1).copy(), width, abs(height), 3
    header_size = struct.unpack_from("<I", data, 14)[0]
    palette = np.frombuffer(data, np.uint8, 256 * 4, 14 + header_size).reshape(256, 4)
    assert (palette[:, :3] == np.arange(256)[:, None]).all(), "only gray palettes"
    return pixels.copy(), width, abs(height), 1


@pytest.mark.parametrize("image", ["person.bmp", "no_person.bmp"])
def test_real_images(image: str, shared_dir: Path, tmp_path: Path) -> None:
    pixels, width, height, bpp = read_bmp(shared_dir / "testdata" / image)
    assert (width, height, bpp) == (96, 96, 1)
    size = (width, height)
    # Same size: the int8 model input is exactly pixel - 128.
    same = parse_params({"channels": "Grayscale", **INT8})
    got = check_block(same, size, "gray8", tmp_path / "same", pixels=pixels)
    assert np.array_equal(got.astype(int), pixels.astype(int) - 128)
    # A real downscale and upscale, RGB and gray out.
    for i, (w, h, channels) in enumerate([(48, 48, "RGB"), (160, 120, "Grayscale")]):
        obj = {"channels": channels, "width": w, "height": h, "resize_mode": "fit-longest"}
        check_block(parse_params(obj), size, "gray8", tmp_path / str(i), pixels=pixels)


@pytest.mark.parametrize("output", [{}, INT8])
def test_strict_builds_prefix_and_no_ram(output: dict, tmp_path: Path) -> None:
    params = parse_params({"channels": "Grayscale", "resize_mode": "fit-longest", **output})
    block = generate("cam_prep", params, input_width=320, input_height=240)
    for name, text in dsp_files(block).items():
        (tmp_path / name).write_text(text)
    objects = []
    for compiler, tag in ((STRICT_C, "c"), (STRICT_CXX, "cxx")):
        for source in sorted(tmp_path.glob("*.c")):
            obj = tmp_path / f"{source.stem}.{tag}.o"
            cmd = [*compiler, "-c", str(source), f"-I{tmp_path}", "-o", str(obj)]
            result = subprocess.run(cmd, capture_output=True, text=True)
            assert result.returncode == 0 and not result.stderr, result.stderr
            if tag == "c":
                objects.append(obj)
    symbols = global_symbols(objects)
    assert "cam_prep_run" in symbols
    assert all(s.startswith("cam_prep_") for s in symbols), symbols
    assert writable_bytes(objects) == 0


BAD_PARAMS = [
    ({"width": 0}, "width"),
    ({"height": -4}, "height"),
    ({"width": "96"}, "width"),
    ({"width": 12.5}, "width"),
    ({"resize_mode": "crop"}, "resize_mode"),
    ({"channels": "RGBA"}, "channels"),
    ({"output_type": "uint8"}, "output_type"),
    ({"output_type": "int8", "zero_point": 0}, "scale"),
    ({"output_type": "int8", "scale": 0.1}, "zero_point"),
    ({**INT8, "scale": 0}, "scale"),
    ({**INT8, "scale": -0.5}, "scale"),
    ({**INT8, "scale": float("nan")}, "scale"),
    ({**INT8, "scale": "0.1"}, "scale"),
    ({**INT8, "scale": 1e300}, "scale"),
    ({**INT8, "scale": 1e-50}, "scale"),
    ({**INT8, "zero_point": 128}, "zero_point"),
    ({"fill": 256}, "fill"),
    ({"implementation_version": 2}, "implementation_version"),
    ({"colour": "RGB"}, "known: channels, width, height, resize_mode"),
]


@pytest.mark.parametrize(("obj", "words"), BAD_PARAMS)
def test_bad_parameters(obj: dict, words: str) -> None:
    with pytest.raises(TinygenError) as error:
        parse_params(obj)
    assert error.value.exit_code == EXIT_USAGE
    assert words in str(error.value)


def test_defaults_and_not_a_dict() -> None:
    assert parse_params({}) == ImageParams()
    assert parse_params({"channels": "Grayscale", "width": 32.0}).width == 32
    with pytest.raises(TinygenError, match="JSON object"):
        parse_params(["RGB"])  # type: ignore[arg-type]


BAD_INPUTS = [
    ({"input_width": 0, "input_height": 240}, "input_width"),
    ({"input_width": 320, "input_height": -1}, "input_height"),
    ({"input_width": 320, "input_height": 2.5}, "input_height"),
    ({"input_width": 320, "input_height": 240, "input_format": "rgb565"}, "input_format"),
    ({"input_width": 100000, "input_height": 1}, "input_width"),
]


@pytest.mark.parametrize(("kwargs", "words"), BAD_INPUTS)
def test_bad_inputs(kwargs: dict, words: str) -> None:
    with pytest.raises(TinygenError) as error:
        generate("img", ImageParams(), **kwargs)
    assert error.value.exit_code == EXIT_USAGE and words in str(error.value)


def test_hand_built_params_and_wrong_pixel_count() -> None:
    with pytest.raises(TinygenError, match="width"):
        generate("img", ImageParams(width=0), input_width=4, input_height=4)
    with pytest.raises(TinygenError, match="scale"):
        generate("img", ImageParams(output_type="int8"), input_width=4, input_height=4)
    with pytest.raises(TinygenError, match="expected 4x4x3 bytes, got 47"):
        image_features(np.zeros(47, np.uint8), ImageParams(), input_width=4, input_height=4)


def test_bad_name_and_huge_output() -> None:
    with pytest.raises(TinygenError, match="C identifier"):
        generate("1img", ImageParams(), input_width=4, input_height=4)
    huge = parse_params({"width": 20000, "height": 20000})
    with pytest.raises(TinygenError, match="larger than"):
        generate("img", huge, input_width=4, input_height=4)
