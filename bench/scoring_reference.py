#!/usr/bin/env python3
"""Reference timing for the scoring benchmark: pandas.read_csv + sklearn.metrics on the files
that bench/Challenge.Benchmarks wrote. Like the C# side, the solution is read beforehand; the
timed part reads the submission, aligns it to the solution's Ids and computes the metric.
Pinned to one core. Prints one JSON line per file.

    /usr/bin/python3 bench/scoring_reference.py DIR
"""
import json
import os
import sys
import time

import pandas as pd
from sklearn import metrics


def median_of(repeats, work):
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], value


def label(directory, solution_name, submission_name, repeats):
    solution = pd.read_csv(os.path.join(directory, solution_name), dtype={"Id": str})

    def work():
        submission = pd.read_csv(os.path.join(directory, submission_name), dtype={"Id": str})
        predicted = submission.set_index("Id")["Category"].reindex(solution["Id"])
        return metrics.accuracy_score(solution["Category"].to_numpy(), predicted.to_numpy())

    return median_of(repeats, work)


def probability(directory, solution_name, submission_name, repeats):
    solution = pd.read_csv(os.path.join(directory, solution_name), dtype={"Id": str})

    def work():
        submission = pd.read_csv(os.path.join(directory, submission_name), dtype={"Id": str}).set_index("Id")
        classes = sorted(submission.columns)
        probabilities = submission.reindex(solution["Id"])[classes].to_numpy()
        probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        return metrics.log_loss(solution["Category"].to_numpy(), probabilities, eps=1e-15, labels=classes)

    return median_of(repeats, work)


def main():
    directory = sys.argv[1]
    os.sched_setaffinity(0, {0})
    runs = [
        (label, "labels_20k_solution.csv", "labels_20k_submission.csv", 20),
        (label, "labels_large_solution.csv", "labels_large_submission.csv", 1),
        (probability, "probabilities_solution.csv", "probabilities_submission.csv", 3),
    ]
    for function, solution_name, submission_name, repeats in runs:
        seconds, value = function(directory, solution_name, submission_name, repeats)
        print(json.dumps({"submission": submission_name, "seconds": seconds, "value": float(value)}), flush=True)


if __name__ == "__main__":
    main()
