"""The demo page in a real headless browser: Debian's Chromium driven by
Playwright (its driver comes in the wheel; no browser is downloaded).

The server is ``tools/demo.py``'s ``main`` on a free localhost port with
the tiny fixture model given by its hub id, resolved offline from a cache
folder the test builds.
"""
import json
import os
import os.path as osp
import tempfile

import cv2
import numpy as np
import pytest
from hub_cache import HUB_ID, build_hub_cache
from huggingface_hub import constants
from parity_fixture import parity_fixture_files
from ports import free_port
from pycocotools import mask as mask_utils

from unipixel_mm.apis import demo
from unipixel_mm.visualization import blend, object_color

sync_api = pytest.importorskip('playwright.sync_api')

#: Debian's chromium package (``apt-get install chromium``), unless
#: ``UNIPIXEL_CHROMIUM`` names another Chromium binary.
CHROMIUM = os.environ.get('UNIPIXEL_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'
]
#: The click, in pixels of the 80x60 test image: inside the rectangle.
CLICK = (40, 30)


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """The demo served by its command line; its URL."""
    cache, _ = build_hub_cache(str(tmp_path_factory.mktemp('hub')))
    _, sam2_yaml = parity_fixture_files()
    port = free_port()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(constants, 'HF_HUB_CACHE', cache)
        patch.setattr(constants, 'HF_HUB_OFFLINE', True)
        page = demo.main([
            HUB_ID, '--sam2-config', sam2_yaml, '--max-new-tokens', '4',
            '--port',
            str(port)
        ],
                         block=False)
    yield f'http://127.0.0.1:{port}'
    page.close()


@pytest.fixture(scope='module')
def browser():
    if not osp.isfile(CHROMIUM):
        pytest.fail(f'no Chromium at {CHROMIUM}: apt-get install chromium, '
                    'or set UNIPIXEL_CHROMIUM')
    with sync_api.sync_playwright() as playwright, \
            tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS)
        yield context
        context.close()


@pytest.fixture
def page(browser, server):
    tab = browser.new_page()
    tab.set_default_timeout(120_000)
    tab.goto(server)
    tab.wait_for_selector('#submit')
    yield tab
    tab.close()


def value(page, elem_id: str) -> str:
    return page.input_value(f'#{elem_id} textarea')


def wait_for_message(page, previous: str = '') -> str:
    """The message box once it holds a text other than ``previous``."""
    page.wait_for_function(
        'previous => { const text = document.querySelector('
        '"#message textarea").value; '
        'return text !== "" && text !== previous; }',
        arg=previous)
    return value(page, 'message')


def fetch_image(browser, url: str) -> np.ndarray:
    body = browser.request.get(url).body()
    image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
    return image[..., ::-1]


def test_point_prompt_answer_and_overlay(page, browser, tmp_path):
    path = str(tmp_path / 'shapes.png')
    pixels = np.zeros((60, 80, 3), np.uint8)
    pixels[10:50, 20:60] = (40, 200, 220)
    cv2.imwrite(path, pixels[..., ::-1])

    page.set_input_files('#media input[type=file]', path)
    assert wait_for_message(page) == 'Loaded a 80x60 image.'
    preview = page.locator('#preview img')
    preview.wait_for()
    box = preview.bounding_box()
    natural = preview.evaluate('img => [img.naturalWidth, img.naturalHeight]')
    assert natural == [80, 60]
    preview.click(position=dict(
        x=CLICK[0] * box['width'] / natural[0],
        y=CLICK[1] * box['height'] / natural[1]))
    page.wait_for_function(
        'document.querySelector("#prompts textarea").value !== ""')
    x, y = [
        float(v) for v in value(page, 'prompts').split('(')[1].split(')')
        [0].split(',')
    ]
    assert abs(x - CLICK[0]) <= 1 and abs(y - CLICK[1]) <= 1

    page.click('#submit')
    assert wait_for_message(page) == 'Done: 1 object(s) on 1 frame(s).'

    link = page.locator('#masks a[download]').get_attribute('href')
    masks = json.loads(browser.request.get(link).body())
    answer = value(page, 'answer')
    assert answer and answer == masks['answer']
    rle = masks['objects'][0]['frames'][0]
    mask = mask_utils.decode(
        dict(size=rle['size'], counts=rle['counts'].encode())).astype(bool)
    assert mask.shape == (60, 80) and mask.any()

    overlay = fetch_image(browser,
                          page.locator('#overlay img').get_attribute('src'))
    # the mask blended in, nothing else changed but the point marker
    far = np.ones_like(mask)
    far[y_range(y), x_range(x)] = False
    assert np.array_equal(overlay[far], blend(pixels, mask[None], 0.5)[far])
    changed = (overlay != pixels).any(-1)
    assert changed[mask & far].mean() > 0.99
    assert not changed[~mask & far].any()
    assert tuple(overlay[int(y), int(x)]) == object_color(0)
    assert 'Traceback' not in page.content()


def y_range(y: float) -> slice:
    return slice(max(0, int(y) - 6), int(y) + 7)


def x_range(x: float) -> slice:
    return slice(max(0, int(x) - 6), int(x) + 7)


def test_bad_input_is_a_message(page, tmp_path):
    page.click('#submit')
    assert wait_for_message(page) == \
        'ValueError: Upload an image or a video first'
    broken = str(tmp_path / 'broken.mp4')
    with open(broken, 'wb') as f:
        f.write(os.urandom(64))
    page.set_input_files('#media input[type=file]', broken)
    message = wait_for_message(
        page, 'ValueError: Upload an image or a video first')
    assert message.startswith('ValueError: Cannot read the video')
    assert 'broken.mp4' in message and '\n' not in message
    assert 'Traceback' not in page.content()
