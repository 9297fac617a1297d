#!/usr/bin/python3
"""Photo fixtures for `hush denoise` (cli/src/test/resources/photos): the kinds of files cameras, phones, scanners
and print workflows write, tiny (48x32) so each is a few KB, with the expected upright pixels decoded independently
(Pillow/libjpeg-turbo, LittleCMS through ImageCms, OpenCV/libtiff) so the Java side is checked against other code.

    apt-get install -y python3-pil python3-opencv libjpeg-turbo-progs
    /usr/bin/python3 tools/photos/make_photos.py [OUT_DIR]

Files (NAME.expect.png holds the upright picture a viewer shows, as 8- or 16-bit samples):
  orient-1..8.jpg    one photo stored in each EXIF orientation (lossless jpegtran transforms of orient-1), with EXIF
                     (camera, date, exposure, GPS, a thumbnail IFD); orient-N.expect.png as libjpeg shows each
  orient-3.png, orient-6.png   the same with an eXIf chunk
  orient-8.tif       8-bit RGB TIFF, orientation 8, the camera EXIF in its IFD0 (EXIF and GPS sub-IFDs)
  cmyk-adobe.jpg     CMYK, Adobe-inverted, with an embedded CMYK profile (this script's own, see cmyk_profile)
  cmyk-plain.jpg     CMYK, not inverted, no Adobe marker, same profile
  ycck.jpg           YCCK (Adobe transform 2), same profile; cmyk.expect.png for the CMYK two, ycck.expect.png
                     (libjpeg's decode through LittleCMS, perceptual intent)
  cmyk-noprofile.jpg Adobe CMYK without a profile; cmyk-noprofile.expect.png (plain 255-C.. conversion)
  widergb.jpg/.png   RGB tagged with a wide-gamut profile (Adobe RGB (1998) primaries, gamma 563/256); samples as
                     stored in widergb.expect.png (a viewer converts them with the profile; Hush keeps them)
  widergb16.tif      16-bit RGB with the same profile (ICC tag)
  gray16/rgb16/rgba16 .tif and .png   16-bit, written by OpenCV (TIFF: LZW with predictor), levels not multiples of 257
  palette-trns.png, bilevel.png, graya.png, rgba.png, interlaced.png, progressive.jpg (+ .expect.png)
  hostile/           exif-truncated.jpg, exif-absurd.jpg, icc-huge.png, icc-lies.jpg: must fail with one line
"""
import io
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import cv2
import numpy as np
from PIL import Image, ImageCms, ImageOps

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'cli', 'src', 'test',
                                                         'resources', 'photos')
W, H = 48, 32


def base_rgb():
    """Upright picture: smooth gradients (JPEG-friendly) with a red block top-left and a dark bar bottom-right, so
    every orientation looks different."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    r = 60 + 150 * x / (W - 1)
    g = 50 + 140 * y / (H - 1)
    b = 170 - 60 * (x + y) / (W + H)
    img = np.stack([r, g, b], -1)
    img[2:10, 2:14] = [220, 40, 40]
    img[H - 8:H - 3, W - 20:W - 3] = [30, 30, 60]
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------------------------ ICC profiles

def s15(v):
    return struct.pack('>i', int(round(v * 65536)))


def xyz_tag(x, y, z):
    return b'XYZ ' + b'\0' * 4 + s15(x) + s15(y) + s15(z)


def text_tag(s):
    return b'text' + b'\0' * 4 + s.encode('ascii') + b'\0'


def desc_tag(s):
    a = s.encode('ascii') + b'\0'
    return b'desc' + b'\0' * 4 + struct.pack('>I', len(a)) + a + b'\0' * 4 + b'\0' * 4 + b'\0' * 2 + b'\0' + b'\0' * 67


def curv_gamma(g):
    return b'curv' + b'\0' * 4 + struct.pack('>I', 1) + struct.pack('>H', int(round(g * 256)))


def profile(cls, space, tags):
    """An ICC v2.1 profile: header, tag table, tag data (4-byte aligned)."""
    n = len(tags)
    offset = 128 + 4 + 12 * n
    table, data = b'', b''
    for sig, body in tags:
        while (offset + len(data)) % 4:
            data += b'\0'
        table += sig + struct.pack('>II', offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = struct.pack('>I', size) + b'\0' * 4 + struct.pack('>I', 0x02100000) + cls + space + b'XYZ '
    header += struct.pack('>6H', 2024, 1, 1, 0, 0, 0) + b'acsp' + b'\0' * 4 + b'\0' * 4 + b'\0' * 8 + b'\0' * 8
    header += struct.pack('>I', 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b'\0' * 4 + b'\0' * 16 + b'\0' * 28
    assert len(header) == 128
    return header + struct.pack('>I', n) + table + data


D50 = (0.9642, 1.0, 0.8249)


def wide_rgb_profile():
    """Matrix/TRC RGB profile with the Adobe RGB (1998) primaries (D50-adapted) and gamma 563/256."""
    g = 563 / 256
    return profile(b'mntr', b'RGB ', [
        (b'desc', desc_tag('Hush test wide-gamut RGB')), (b'cprt', text_tag('No copyright, test data')),
        (b'wtpt', xyz_tag(*D50)),
        (b'rXYZ', xyz_tag(0.6097, 0.3111, 0.0195)), (b'gXYZ', xyz_tag(0.2053, 0.6257, 0.0609)),
        (b'bXYZ', xyz_tag(0.1492, 0.0632, 0.7446)),
        (b'rTRC', curv_gamma(g)), (b'gTRC', curv_gamma(g)), (b'bTRC', curv_gamma(g))])


# sRGB primaries adapted to D50 (Bradford): linear RGB -> PCS XYZ
M_SRGB_D50 = np.array([[0.4360747, 0.3850649, 0.1430804],
                       [0.2225045, 0.7168786, 0.0606169],
                       [0.0139322, 0.0971045, 0.7141733]])


def lut16(in_ch, out_ch, grid, clut):
    t = b'mft2' + b'\0' * 4 + bytes([in_ch, out_ch, grid, 0])
    t += b''.join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    t += struct.pack('>HH', 2, 2)
    t += struct.pack('>HH', 0, 65535) * in_ch
    t += b''.join(struct.pack('>H', int(np.clip(round(v), 0, 65535))) for v in clut)
    t += struct.pack('>HH', 0, 65535) * out_ch
    return t


A2B_GRID = 5


def cmyk_profile():
    """A small CMYK printer profile of our own: ink c removes (1-c) of linear-light red, m of green, y of blue, k of
    all three; PCS XYZ through the sRGB primaries. A 5-point CLUT keeps it to 4 KB; LittleCMS interpolates the first
    channel linearly and the other three tetrahedrally, so the products (1-m)(1-k) are approximated, which is fine:
    the expected pixels come from LittleCMS with this same profile."""
    a2b = []
    steps = np.linspace(0, 1, A2B_GRID)
    for c in steps:
        for m in steps:
            for y in steps:
                for k in steps:
                    lin = np.array([(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)])
                    a2b.extend(M_SRGB_D50 @ lin * 32768)
    inv = np.linalg.inv(M_SRGB_D50)
    b2a = []
    g = 3
    for xi in range(g):
        for yi in range(g):
            for zi in range(g):
                xyz = np.array([xi, yi, zi]) / (g - 1) * (65535 / 32768)
                lin = np.clip(inv @ xyz, 0, 1)
                k = 1 - lin.max()
                cmy = (1 - lin - k) / (1 - k) if k < 1 else np.zeros(3)
                b2a.extend(list(cmy * 65535) + [k * 65535])
    return profile(b'prtr', b'CMYK', [
        (b'desc', desc_tag('Hush test CMYK')), (b'cprt', text_tag('No copyright, test data')),
        (b'wtpt', xyz_tag(*D50)), (b'A2B0', lut16(4, 3, A2B_GRID, a2b)), (b'B2A0', lut16(3, 4, g, b2a))])


def srgb_to_ink(rgb):
    """sRGB pixels -> CMYK ink (0..255) under cmyk_profile's model."""
    v = rgb / 255.0
    lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    k = 1 - lin.max(-1, keepdims=True)
    cmy = np.where(k < 1, (1 - lin - k) / np.maximum(1 - k, 1e-9), 0)
    return np.clip(np.round(np.concatenate([cmy, k], -1) * 255), 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------------------------ EXIF

def exif_block(orientation, width, height, thumbnail=None, base=0):
    """A little-endian EXIF block: IFD0 (Make, Model, Orientation, DateTime, EXIF and GPS pointers), EXIF IFD
    (exposure 1/125 s, f/2.8, ISO 400, DateTimeOriginal, PixelX/YDimension), GPS IFD, and IFD1 with a JPEG
    thumbnail if given. Offsets are written + base (for a block placed at byte base of a TIFF file)."""
    def entries_size(n):
        return 2 + 12 * n + 4

    ifd0 = [(0x010F, 2, b'HushTest\0'), (0x0110, 2, b'Fixture 1\0'), (0x0112, 3, struct.pack('<H', orientation)),
            (0x0132, 2, b'2024:05:01 12:34:56\0'), (0x8769, 4, None), (0x8825, 4, None)]
    exif = [(0x829A, 5, struct.pack('<II', 1, 125)), (0x829D, 5, struct.pack('<II', 28, 10)),
            (0x8827, 3, struct.pack('<H', 400)), (0x9003, 2, b'2024:05:01 12:34:56\0'),
            (0xA002, 4, struct.pack('<I', width)), (0xA003, 4, struct.pack('<I', height))]
    gps = [(0x0000, 1, bytes([2, 3, 0, 0])), (0x0001, 2, b'N\0'), (0x0002, 5, struct.pack('<6I', 48, 1, 51, 1, 30, 1)),
           (0x0003, 2, b'E\0'), (0x0004, 5, struct.pack('<6I', 2, 1, 17, 1, 40, 1))]
    ifd1 = [(0x0103, 3, struct.pack('<H', 6)), (0x0201, 4, None), (0x0202, 4, struct.pack('<I', len(thumbnail or b'')))]
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}
    # layout: header, IFD0, EXIF IFD, GPS IFD, [IFD1], values, [thumbnail]
    off0 = 8
    off_exif = off0 + entries_size(len(ifd0))
    off_gps = off_exif + entries_size(len(exif))
    off_ifd1 = off_gps + entries_size(len(gps))
    values_at = off_ifd1 + (entries_size(len(ifd1)) if thumbnail else 0)
    values = b''

    def encode(entries, ptrs, next_ifd):
        nonlocal values
        out = struct.pack('<H', len(entries))
        for tag, typ, val in entries:
            if val is None:
                val = struct.pack('<I', ptrs[tag])
            count = len(val) // sizes[typ]
            if len(val) <= 4:
                out += struct.pack('<HHI', tag, typ, count) + val.ljust(4, b'\0')
            else:
                out += struct.pack('<HHII', tag, typ, count, base + values_at + len(values))
                values += val + (b'\0' if len(val) % 2 else b'')
        return out + struct.pack('<I', next_ifd)

    b0 = encode(ifd0, {0x8769: base + off_exif, 0x8825: base + off_gps}, base + off_ifd1 if thumbnail else 0)
    be = encode(exif, {}, 0)
    bg = encode(gps, {}, 0)
    b1 = b''
    if thumbnail:
        thumb_at = None  # filled after values are known
        b1 = encode(ifd1, {0x0201: 0}, 0)
    blob = b'II*\0' + struct.pack('<I', off0) + b0 + be + bg + b1 + values
    if thumbnail:
        thumb_at = len(blob)
        blob = bytearray(blob + thumbnail)
        # patch JPEGInterchangeFormat (second entry of IFD1)
        pos = off_ifd1 + 2 + 12 * 1 + 8
        blob[pos:pos + 4] = struct.pack('<I', base + thumb_at)
        blob = bytes(blob)
    return blob


def jpeg_segments(data):
    """[(marker, payload)] up to SOS, and the rest (SOS onwards)."""
    assert data[:2] == b'\xff\xd8'
    p, segs = 2, []
    while True:
        m = data[p + 1]
        if m == 0xDA:
            return segs, data[p:]
        n = struct.unpack('>H', data[p + 2:p + 4])[0]
        segs.append((m, data[p + 4:p + 2 + n]))
        p += 2 + n


def jpeg_join(segs, rest):
    out = b'\xff\xd8'
    for m, payload in segs:
        out += bytes([0xFF, m]) + struct.pack('>H', len(payload) + 2) + payload
    return out + rest


def with_exif(jpeg, blob):
    """Insert APP1 Exif after SOI/JFIF, dropping any existing APP1."""
    segs, rest = jpeg_segments(jpeg)
    segs = [s for s in segs if s[0] != 0xE1]
    at = 1 if segs and segs[0][0] == 0xE0 else 0
    segs.insert(at, (0xE1, b'Exif\0\0' + blob))
    return jpeg_join(segs, rest)


def png_chunks(data):
    p, out = 8, []
    while p < len(data):
        n = struct.unpack('>I', data[p:p + 4])[0]
        out.append((data[p + 4:p + 8], data[p + 8:p + 8 + n]))
        p += 12 + n
    return out


def png_join(chunks):
    out = b'\x89PNG\r\n\x1a\n'
    for t, d in chunks:
        out += struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xFFFFFFFF)
    return out


def png_with(png, exif=None, iccp=None):
    chunks = [c for c in png_chunks(png) if c[0] not in (b'eXIf', b'iCCP', b'sRGB', b'gAMA')]
    extra = []
    if iccp is not None:
        extra.append((b'iCCP', b'ICC Profile\0\0' + iccp))
    if exif is not None:
        extra.append((b'eXIf', exif))
    return png_join(chunks[:1] + extra + chunks[1:])


# ------------------------------------------------------------------------------------------------ helpers

def save(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def png_bytes(img, **kw):
    b = io.BytesIO()
    img.save(b, 'PNG', **kw)
    return b.getvalue()


def jpeg_bytes(img, **kw):
    b = io.BytesIO()
    img.save(b, 'JPEG', **kw)
    return b.getvalue()


def jpegtran(data, *args):
    with tempfile.NamedTemporaryFile(suffix='.jpg') as f:
        f.write(data)
        f.flush()
        return subprocess.run(['jpegtran', '-copy', 'none', '-perfect', *args, f.name], check=True,
                              capture_output=True).stdout


def expect(name, arr, mode=None):
    save(name, png_bytes(Image.fromarray(arr, mode) if mode else Image.fromarray(arr)))


def close(a, b, tol, what):
    d = np.abs(a.astype(np.int32) - b.astype(np.int32)).max()
    assert d <= tol, f'{what}: max difference {d} > {tol}'


# EXIF orientation o: the transform that turns the stored picture upright (PIL's exif_transpose), and jpegtran's
# inverse that makes the stored picture from the upright one.
TO_STORED = {1: [], 2: ['-flip', 'horizontal'], 3: ['-rotate', '180'], 4: ['-flip', 'vertical'],
             5: ['-transpose'], 6: ['-rotate', '270'], 7: ['-transverse'], 8: ['-rotate', '90']}


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = base_rgb()
    up = Image.fromarray(rgb)

    # --- orientations: 4:4:4 so lossless transforms change no decoded pixel beyond IDCT rounding
    upright = jpeg_bytes(up, quality=90, subsampling=0)
    upright_dec = np.array(Image.open(io.BytesIO(upright)).convert('RGB'))
    thumb = jpeg_bytes(up.resize((12, 8)), quality=70)
    for o, args in TO_STORED.items():
        stored = jpegtran(upright, *args) if args else jpegtran(upright)
        sw, sh = Image.open(io.BytesIO(stored)).size
        thumb_o = jpeg_bytes(ImageOps.exif_transpose(up).resize((12, 8)), quality=70) if o == 1 else thumb
        data = with_exif(stored, exif_block(o, sw, sh, thumbnail=thumb_o))
        shown = np.array(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert('RGB'))
        # transposing orientations swap the IDCT's row and column passes: 2 levels of rounding at most
        close(shown, upright_dec, 2, f'orient-{o}.jpg shown upright')
        save(f'orient-{o}.jpg', data)
        expect(f'orient-{o}.expect.png', shown)
    for o in (3, 6):
        stored = up.transpose({3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90}[o])
        data = png_with(png_bytes(stored), exif=exif_block(o, *stored.size))
        shown = np.array(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert('RGB'))
        close(shown, rgb, 0, f'orient-{o}.png shown upright')
        save(f'orient-{o}.png', data)
    # a TIFF with orientation 8 and camera EXIF in its own IFD0 (uncompressed 8-bit RGB from OpenCV)
    stored = up.transpose(Image.Transpose.ROTATE_270)
    with tempfile.NamedTemporaryFile(suffix='.tif') as f:
        assert cv2.imwrite(f.name, np.array(stored)[..., ::-1], [cv2.IMWRITE_TIFF_COMPRESSION, 1])
        data = tiff_with_exif(open(f.name, 'rb').read(), 8, *stored.size)
    # OpenCV reads TIFFs through libtiff's RGBA interface, which honours the orientation tag
    tif_path = save('orient-8.tif', data)
    close(cv2.imread(tif_path)[..., ::-1], rgb, 0, 'orient-8.tif shown upright by libtiff')

    # --- CMYK / YCCK
    cmyk_icc = cmyk_profile()
    ink = srgb_to_ink(rgb.astype(np.float64))
    srgb = ImageCms.createProfile('sRGB')
    to_rgb = ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(cmyk_icc)), srgb, 'CMYK', 'RGB',
                                     renderingIntent=0)
    exif1 = exif_block(1, W, H)
    adobe = jpeg_bytes(Image.fromarray(ink, 'CMYK'), quality=95, icc_profile=cmyk_icc)  # Pillow writes Adobe-inverted
    adobe = with_exif(adobe, exif1)
    ink_dec = np.array(Image.open(io.BytesIO(adobe)))
    ref = np.array(ImageCms.applyTransform(Image.fromarray(ink_dec, 'CMYK'), to_rgb))
    close(ref, rgb, 32, 'CMYK through the profile vs the RGB original')
    means = ref.reshape(-1, 3).mean(0) - rgb.reshape(-1, 3).mean(0)
    assert np.abs(means).max() < 3, f'CMYK channel means off the RGB original by {means}'
    expect('cmyk.expect.png', ref)
    save('cmyk-adobe.jpg', adobe)
    # not inverted, no Adobe marker: give Pillow the inverse so that the stored samples are the ink itself
    plain = jpeg_bytes(Image.fromarray(255 - ink, 'CMYK'), quality=95, icc_profile=cmyk_icc)
    segs, rest = jpeg_segments(plain)
    plain = jpeg_join([s for s in segs if s[0] != 0xEE], rest)
    save('cmyk-plain.jpg', with_exif(plain, exif1))
    # YCCK: libjpeg's encoding of Adobe CMYK samples S: R,G,B = 255 - S[0..2] -> YCbCr, K = S[3]
    s = (255 - ink).astype(np.float64)
    r, g, b = 255 - s[..., 0], 255 - s[..., 1], 255 - s[..., 2]
    yy = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    ycck = np.clip(np.round(np.stack([yy, cb, cr, s[..., 3]], -1)), 0, 255).astype(np.uint8)
    data = jpeg_bytes(Image.fromarray(255 - ycck, 'CMYK'), quality=95, icc_profile=cmyk_icc, subsampling=0)
    segs, rest = jpeg_segments(data)
    segs = [(m, p[:11] + b'\x02' + p[12:] if m == 0xEE else p) for m, p in segs]
    data = with_exif(jpeg_join(segs, rest), exif1)
    ycck_dec = np.array(Image.open(io.BytesIO(data)))  # libjpeg decodes YCCK to CMYK, Pillow un-inverts
    close(ycck_dec, ink, 16, 'YCCK decoded by libjpeg vs the ink')  # JPEG loss at the red block's edges
    assert np.abs(ycck_dec.astype(int) - ink).mean() < 1.5, 'YCCK decoded by libjpeg vs the ink: mean'
    # its own expectation: JPEG loss in the YCCK basis differs from the CMYK file's at the red block's edges
    expect('ycck.expect.png', np.array(ImageCms.applyTransform(Image.fromarray(ycck_dec, 'CMYK'), to_rgb)))
    save('ycck.jpg', data)
    noprof = with_exif(jpeg_bytes(Image.fromarray(ink, 'CMYK'), quality=95), exif1)
    expect('cmyk-noprofile.expect.png', np.array(Image.open(io.BytesIO(noprof)).convert('RGB')))
    save('cmyk-noprofile.jpg', noprof)

    # --- ICC-tagged RGB: samples kept as stored
    wide = wide_rgb_profile()
    wj = with_exif(jpeg_bytes(up, quality=95, subsampling=0, icc_profile=wide), exif1)
    expect('widergb.expect.png', np.array(Image.open(io.BytesIO(wj)).convert('RGB')))
    save('widergb.jpg', wj)
    save('widergb.png', png_with(png_bytes(up), exif=exif1, iccp=zlib.compress(wide, 9)))

    # --- 16-bit (OpenCV/libtiff writes TIFF with LZW and a horizontal predictor)
    yy16, xx16 = np.mgrid[0:H, 0:W]
    r16 = (1000 + 1300 * xx16 + 7 * yy16).astype(np.uint16)
    g16 = (60000 - 1700 * yy16 + 3 * xx16).astype(np.uint16)
    b16 = (12345 + 401 * (xx16 + yy16)).astype(np.uint16)
    a16 = (65535 - 900 * xx16).astype(np.uint16)
    cv2_bgr = np.stack([b16, g16, r16], -1)
    for name, arr in (('gray16', r16), ('rgb16', cv2_bgr), ('rgba16', np.dstack([cv2_bgr, a16]))):
        for ext in ('tif', 'png'):
            path = os.path.join(OUT, f'{name}.{ext}')
            assert cv2.imwrite(path, arr)
            back = cv2.imread(path, cv2.IMREAD_UNCHANGED)
            assert back.dtype == np.uint16 and np.array_equal(back, arr), path
    # 16-bit TIFF with the wide-gamut profile: tag it with Pillow-free TIFF surgery is overkill; tifffile is not in
    # Debian's python3 set here, so re-use OpenCV's file and append an ICC tag to IFD0.
    save('widergb16.tif', tiff_with_icc(open(os.path.join(OUT, 'rgb16.tif'), 'rb').read(), wide))

    # --- palette with transparency, bilevel, gray+alpha, RGBA, interlaced PNG, progressive JPEG
    pal = up.convert('P', palette=Image.Palette.ADAPTIVE, colors=16)
    trns = bytes([0, 128] + [255] * 14)
    save('palette-trns.png', png_bytes(pal, transparency=trns))
    expect('palette-trns.expect.png', np.array(Image.open(os.path.join(OUT, 'palette-trns.png')).convert('RGBA')))
    bil = up.convert('L').point(lambda v: 255 if v > 120 else 0).convert('1')
    save('bilevel.png', png_bytes(bil))
    expect('bilevel.expect.png', np.array(bil.convert('L')))
    la = Image.merge('LA', [up.convert('L'), Image.fromarray((np.arange(W * H) % 251).reshape(H, W).astype(np.uint8))])
    save('graya.png', png_bytes(la))
    rgba = up.copy()
    rgba.putalpha(Image.fromarray((np.arange(W * H) * 7 % 256).reshape(H, W).astype(np.uint8)))
    save('rgba.png', png_bytes(rgba))
    inter = subprocess.run(['convert', 'png:-', '-strip', '-interlace', 'PNG', 'png:-'], input=png_bytes(up), check=True,
                           capture_output=True).stdout
    assert inter[28] == 1, 'interlace method byte of IHDR'
    save('interlaced.png', inter)
    prog = jpeg_bytes(up, quality=90, progressive=True)
    assert b'\xff\xc2' in prog
    save('progressive.jpg', with_exif(prog, exif1))
    expect('progressive.expect.png', np.array(Image.open(io.BytesIO(prog)).convert('RGB')))

    # --- hostile
    good = open(os.path.join(OUT, 'orient-6.jpg'), 'rb').read()
    segs, rest = jpeg_segments(good)
    app1 = [p for m, p in segs if m == 0xE1][0]
    # IFD0 says 6 entries; cut the block inside them
    segs_t = [(m, p[:6 + 8 + 2 + 12 * 3] if m == 0xE1 else p) for m, p in segs]
    save('hostile/exif-truncated.jpg', jpeg_join(segs_t, rest))
    # Make (first IFD0 entry) claims 0x40000000 ASCII bytes
    blob = bytearray(app1[6:])
    struct.pack_into('<I', blob, 8 + 2 + 4, 0x40000000)
    segs_a = [(m, b'Exif\0\0' + bytes(blob) if m == 0xE1 else p) for m, p in segs]
    save('hostile/exif-absurd.jpg', jpeg_join(segs_a, rest))
    # a 9 MiB "profile" (valid header size field) that deflates to a few KB
    huge = bytearray(9 << 20)
    huge[:len(wide)] = wide
    struct.pack_into('>I', huge, 0, len(huge))
    save('hostile/icc-huge.png', png_with(png_bytes(up), iccp=zlib.compress(bytes(huge), 9)))
    # a profile whose header claims 100 MB
    liar = bytearray(wide)
    struct.pack_into('>I', liar, 0, 100_000_000)
    save('hostile/icc-lies.jpg', jpeg_bytes(up, quality=90, icc_profile=bytes(liar)))

    total = 0
    for root, _, files in os.walk(OUT):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    print(f'{OUT}: {sum(len(f) for _, _, f in os.walk(OUT))} files, {total / 1024:.0f} KiB')


def tiff_with_exif(data, orientation, width, height):
    """A little-endian single-image TIFF (OpenCV's) with the EXIF block's IFD0 entries (Make, Model, Orientation,
    DateTime, EXIF and GPS IFDs) merged into its own IFD0, as cameras and raw converters write TIFFs."""
    assert data[:2] == b'II'
    out = bytearray(data + (b'\0' if len(data) % 2 else b''))
    base = len(out)
    blob = exif_block(orientation, width, height, base=base)
    out += blob
    n0 = struct.unpack('<H', blob[8:10])[0]
    extra = [blob[10 + 12 * i: 22 + 12 * i] for i in range(n0)]
    off = struct.unpack('<I', data[4:8])[0]
    n = struct.unpack('<H', data[off:off + 2])[0]
    entries = [data[off + 2 + 12 * i: off + 14 + 12 * i] for i in range(n)] + extra
    entries.sort(key=lambda e: struct.unpack('<H', e[:2])[0])
    if len(out) % 2:
        out += b'\0'
    ifd_at = len(out)
    out += struct.pack('<H', len(entries)) + b''.join(entries) + struct.pack('<I', 0)
    struct.pack_into('<I', out, 4, ifd_at)
    return bytes(out)


def tiff_with_icc(data, icc):
    """A single-image TIFF with an ICC profile tag (34675) added to IFD0: IFD0 is copied to the end with the new
    entry, the header pointed at it (no strip moves)."""
    bo = '<' if data[:2] == b'II' else '>'
    off = struct.unpack(bo + 'I', data[4:8])[0]
    n = struct.unpack(bo + 'H', data[off:off + 2])[0]
    entries = [data[off + 2 + 12 * i: off + 14 + 12 * i] for i in range(n)]
    out = bytearray(data)
    if len(out) % 2:
        out += b'\0'
    icc_at = len(out)
    out += icc
    if len(out) % 2:
        out += b'\0'
    entries.append(struct.pack(bo + 'HHII', 34675, 7, len(icc), icc_at))
    entries.sort(key=lambda e: struct.unpack(bo + 'H', e[:2])[0])
    ifd_at = len(out)
    out += struct.pack(bo + 'H', len(entries)) + b''.join(entries) + struct.pack(bo + 'I', 0)
    struct.pack_into(bo + 'I', out, 4, ifd_at)
    return bytes(out)


if __name__ == '__main__':
    main()
