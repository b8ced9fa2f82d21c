"""RingBuffer with scripted blocks: order, wraparound, overflow counting, bounded reads."""

import threading
import time

import numpy as np
import pytest

from visualnn.audio.ringbuffer import RingBuffer


def ramp(start, n, channels=1):
    x = np.arange(start, start + n, dtype=np.float32)
    return x if channels == 1 else np.stack([x, -x], axis=1)


def test_reads_return_what_was_written_in_order():
    rb = RingBuffer(10)
    assert rb.available == 0 and rb.read_new().shape == (0,)
    rb.write(ramp(0, 3))
    rb.write(ramp(3, 4))
    assert rb.available == 7
    np.testing.assert_array_equal(rb.read_new(), ramp(0, 7))
    assert rb.available == 0 and rb.dropped_samples == 0


def test_wraparound_keeps_order():
    rb = RingBuffer(8)
    pos = 0
    for n in (5, 3, 6, 2, 7, 1):
        rb.write(ramp(pos, n))
        np.testing.assert_array_equal(rb.read_new(), ramp(pos, n))
        pos += n


def test_overflow_overwrites_the_oldest_and_counts():
    rb = RingBuffer(8)
    rb.write(ramp(0, 5))
    rb.write(ramp(5, 5))  # 10 written, 8 kept: 0 and 1 are lost
    assert rb.dropped_samples == 2 and rb.overflow_events == 1
    assert rb.available == 8
    out = rb.read_new()
    np.testing.assert_array_equal(out, ramp(2, 8))
    rb.write(ramp(10, 20))  # a block larger than the buffer keeps its tail
    assert rb.dropped_samples == 2 + 12
    np.testing.assert_array_equal(rb.read_new(), ramp(22, 8))


def test_read_is_bounded_by_capacity_and_max_frames():
    rb = RingBuffer(16)
    for i in range(10):
        rb.write(ramp(i * 7, 7))
    assert rb.available == 16
    part = rb.read_new(max_frames=5)
    np.testing.assert_array_equal(part, ramp(70 - 16, 5))
    np.testing.assert_array_equal(rb.read_new(), ramp(70 - 11, 11))


def test_multichannel_and_latest_and_clear():
    rb = RingBuffer(6, channels=2)
    rb.write(ramp(0, 4, 2))
    rb.write(ramp(4, 4, 2))
    out = rb.read_new()
    assert out.shape == (6, 2)
    np.testing.assert_array_equal(out, ramp(2, 6, 2))
    np.testing.assert_array_equal(rb.latest(3), ramp(5, 3, 2))
    rb.write(ramp(8, 2, 2))
    rb.clear()
    assert rb.available == 0 and rb.dropped_samples == 0
    with pytest.raises(ValueError):
        RingBuffer(0)


def test_write_does_not_allocate_a_new_store():
    rb = RingBuffer(32)
    store = rb._data
    for i in range(20):
        rb.write(ramp(i, 7))
    assert rb._data is store


def test_concurrent_producer_and_consumer_see_a_gapless_stream():
    rb = RingBuffer(1024)
    total, block = 256 * 300, 256
    got = []

    def produce():
        for start in range(0, total, block):
            rb.write(ramp(start, block))
            time.sleep(0)  # let the consumer in, so reads and writes really interleave

    t = threading.Thread(target=produce)
    t.start()
    i = 0
    while t.is_alive() or rb.available:
        got.append(rb.read_new())
        i += 1
        time.sleep(0.002 if i % 7 == 0 else 0)  # now and then fall behind, forcing overflow
    t.join()
    x = np.concatenate(got)
    # Whatever survived must be strictly increasing by 1 except at counted drops.
    jumps = np.diff(x)
    assert np.all(jumps >= 1)
    assert len(x) + rb.dropped_samples == total
    assert x[-1] == total - 1


class _HookedStore(np.ndarray):
    """A store that runs ``hook`` once, the first time the reader slices it (mid-copy)."""

    hook = None

    def __getitem__(self, key):
        hook, type(self).hook = type(self).hook, None
        if hook is not None:
            hook()
        return super().__getitem__(key)


def test_a_producer_lapping_the_reader_mid_copy_is_dropped_and_counted_once():
    rb = RingBuffer(8)
    rb.write(ramp(0, 6))
    rb._data = rb._data.view(_HookedStore)
    _HookedStore.hook = lambda: rb.write(ramp(6, 7))  # overwrites frames 0..4 while we copy
    out = rb.read_new()
    # The copy was taken over frames 0..5, of which 0..4 were clobbered: only 5 survives.
    np.testing.assert_array_equal(out, [5])
    np.testing.assert_array_equal(rb.read_new(), ramp(6, 7))
    assert rb.dropped_samples == 5  # 0..4, counted exactly once
