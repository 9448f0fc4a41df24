"""The reference COCO evaluation (pycocotools COCOeval, iouType 'bbox') on the files the C# benchmark writes.

    dotnet bench/Challenge.Annotations.Bench/bin/Release/net10.0/Challenge.Annotations.Bench.dll generate DIR [images] [boxes]
    python3 bench/coco_side_by_side.py DIR
    dotnet bench/Challenge.Annotations.Bench/bin/Release/net10.0/Challenge.Annotations.Bench.dll score DIR

Needs numpy and pycocotools on the Python path. Prints wall time per stage and the summary figures,
which should equal the C# figures.
"""
import contextlib
import io
import json
import os
import resource
import sys
import time

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def main(directory):
    cpu_started = time.process_time()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(os.path.join(directory, "gold.json"))
        with open(os.path.join(directory, "detections.json")) as f:
            dt = gt.loadRes(json.load(f))
    loaded = time.perf_counter()
    cpu_loaded = time.process_time()
    ev = COCOeval(gt, dt, "bbox")
    with contextlib.redirect_stdout(io.StringIO()):
        ev.evaluate()
        evaluated = time.perf_counter()
        ev.accumulate()
        ev.summarize()
    done = time.perf_counter()
    cpu_done = time.process_time()
    s = ev.stats
    print(f"images {len(gt.imgs)}, gold boxes {len(gt.anns)}, detections {len(dt.anns)}")
    print(f"{'stage':<20} {'wall s':>8} {'CPU s':>8}")
    print(f"{'load files':<20} {loaded - started:8.2f} {cpu_loaded - cpu_started:8.2f}")
    print(f"{'evaluate':<20} {evaluated - loaded:8.2f}")
    print(f"{'accumulate+summ.':<20} {done - evaluated:8.2f}")
    print(f"{'COCO AP':<20} {done - loaded:8.2f} {cpu_done - cpu_loaded:8.2f}   AP {s[0]:.6f} AP50 {s[1]:.6f} AP75 {s[2]:.6f} AR100 {s[8]:.6f}")
    print(f"{'total':<20} {done - started:8.2f} {cpu_done - cpu_started:8.2f}")
    print(f"peak RSS         {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1])
