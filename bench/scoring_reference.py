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


def probability(metric):
    def run(directory, solution_name, submission_name, repeats):
        solution = pd.read_csv(os.path.join(directory, solution_name), dtype={"Id": str})

        def work():
            submission = pd.read_csv(os.path.join(directory, submission_name), dtype={"Id": str}).set_index("Id")
            classes = sorted(submission.columns)
            probabilities = submission.reindex(solution["Id"])[classes].to_numpy()
            probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
            truth = solution["Category"].to_numpy()
            if metric == "roc_auc":
                return metrics.roc_auc_score(truth, probabilities, multi_class="ovr", average="macro", labels=classes)
            return metrics.log_loss(truth, probabilities, eps=1e-15, labels=classes)

        return median_of(repeats, work)

    return run


def main():
    directory = sys.argv[1]
    os.sched_setaffinity(0, {0})
    runs = [
        ("accuracy", label, "labels_20k_solution.csv", "labels_20k_submission.csv", 20),
        ("accuracy", label, "labels_large_solution.csv", "labels_large_submission.csv", 1),
        ("log_loss", probability("log_loss"), "probabilities_solution.csv", "probabilities_submission.csv", 3),
        ("roc_auc", probability("roc_auc"), "probabilities_solution.csv", "probabilities_submission.csv", 2),
    ]
    for metric, function, solution_name, submission_name, repeats in runs:
        seconds, value = function(directory, solution_name, submission_name, repeats)
        print(json.dumps({"submission": submission_name, "metric": metric, "seconds": seconds, "value": float(value)}), flush=True)


if __name__ == "__main__":
    main()
