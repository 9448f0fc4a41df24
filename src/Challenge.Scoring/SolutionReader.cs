using System.Text;
using Challenge.Scoring.Csv;
using Challenge.Scoring.Metrics;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring;

/// <summary>Reads the organizer's solution file into a <see cref="Solution"/>.</summary>
internal static class SolutionReader
{
    public static ValidationOutcome<Solution> Read(Stream stream, TaskDefinition task)
    {
        // The solution's messages quote hidden Ids and labels: they are for organizers only.
        var errors = new ErrorCollector(MessageAudience.Organizers);
        CheckConfiguration(task, errors);
        if (errors.HasErrors)
        {
            return ValidationOutcome<Solution>.Rejected(errors.ToReport());
        }

        using var table = new CsvTable(stream, task.MaxFileBytes, errors);
        var header = table.ReadHeader();
        if (header is null)
        {
            return ValidationOutcome<Solution>.Rejected(errors.ToReport());
        }

        var layout = SolutionLayout.FromHeader(header, task, errors);
        if (layout is null)
        {
            return ValidationOutcome<Solution>.Rejected(errors.ToReport());
        }

        var rows = new SolutionRows(task, layout);
        while (table.NextRow())
        {
            rows.Add(table, errors);
        }
        if (rows.Ids.Count == 0 && !errors.HasErrors)
        {
            errors.Add(null, null, "The solution has a header but no rows.");
        }
        if (errors.HasErrors)
        {
            return ValidationOutcome<Solution>.Rejected(errors.ToReport());
        }

        var solution = rows.Build(errors);
        return solution is null
            ? ValidationOutcome<Solution>.Rejected(errors.ToReport())
            : ValidationOutcome<Solution>.Accepted(solution);
    }

    private static void CheckConfiguration(TaskDefinition task, ErrorCollector errors)
    {
        var metric = MetricCatalog.Find(task.Metric);
        if (metric is null)
        {
            errors.Add(null, null, $"Unknown metric '{task.Metric}'. Known metrics: {string.Join(", ", MetricCatalog.All.Select(m => m.Name))}.");
        }
        else if (!metric.TaskKinds.Contains(task.Kind))
        {
            errors.Add(null, null, $"Metric '{metric.Name}' does not apply to {task.Kind} tasks; it applies to: {string.Join(", ", metric.TaskKinds)}.");
        }
        if (!(task.PublicFraction is >= 0 and <= 1))
        {
            errors.Add(null, null, $"The public fraction must be between 0 and 1, not {task.PublicFraction}.");
        }
        if (task.TopK < 1)
        {
            errors.Add(null, null, $"top_k_accuracy needs k of at least 1, not {task.TopK}.");
        }
        if (!(task.Beta > 0) || !double.IsFinite(task.Beta))
        {
            errors.Add(null, null, $"f_beta needs a finite β above 0, not {task.Beta}.");
        }
        if (!(task.Threshold is >= 0 and <= 1))
        {
            errors.Add(null, null, $"The decision threshold must be between 0 and 1, not {task.Threshold}.");
        }
        if (task.Depth < 1)
        {
            errors.Add(null, null, $"accuracy_at_depth needs a depth of at least 1 (the roots), not {task.Depth}.");
        }
        if (task.Kind == TaskKind.Mask && (task.ImageWidth < 1 || task.ImageHeight < 1 || (long)task.ImageWidth * task.ImageHeight > int.MaxValue))
        {
            errors.Add(null, null, $"A mask task needs the image width and height in pixels (both at least 1, at most {int.MaxValue:N0} pixels in all), not {task.ImageWidth} × {task.ImageHeight}.");
        }
        if (task.Kind == TaskKind.BinaryProbability)
        {
            var names = task.Classes ?? ["0", "1"];
            if (names.Count != 2)
            {
                errors.Add(null, null, $"A binary task has exactly two classes, not {names.Count}.");
            }
            else if (task.PositiveClass is { } positive && !names.Contains(positive, StringComparer.Ordinal))
            {
                errors.Add(null, null, $"The positive class '{positive}' is not one of the two classes ({string.Join(", ", names)}).");
            }
        }
        if (metric is { Name: "hierarchical_f1" or "accuracy_at_depth" } && task.ClassParents is null)
        {
            errors.Add(null, null, $"{metric.Name} needs the parent of each class (the taxonomy) in the task definition.");
        }
        if (task.MaxFileBytes <= 0)
        {
            errors.Add(null, null, "The maximum file size must be positive.");
        }
        if (task.Classes is { } classes)
        {
            if (classes.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(null, null, "A class name is empty.");
            }
            foreach (var duplicate in classes.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            {
                errors.Add(null, null, $"Class '{duplicate.Key}' is listed more than once (class names are compared ignoring case).");
            }
            if (task.Kind is TaskKind.MultiLabel or TaskKind.MultiLabelProbability && classes.Any(c => c.Any(char.IsWhiteSpace)))
            {
                errors.Add(null, null, "Multi-label class names cannot contain spaces: labels are separated by spaces.");
            }
        }
        if (task.ClassWeights is { } weights && weights.Values.Any(w => !double.IsFinite(w) || w < 0))
        {
            errors.Add(null, null, "Class weights must be finite and non-negative.");
        }
    }

    /// <summary>Where each meaningful column of the solution sits.</summary>
    private sealed record SolutionLayout(int IdColumn, int UsageColumn, int TargetColumn, int[] ClassColumns, string[] ClassNames, int FieldCount)
    {
        public bool OneHot => TargetColumn < 0;

        public static SolutionLayout? FromHeader(string[] header, TaskDefinition task, ErrorCollector errors)
        {
            int before = errors.Count;
            ReportDuplicateColumns(header, errors);
            int idColumn = IndexOf(header, task.IdColumn);
            int usageColumn = IndexOf(header, task.UsageColumn);
            int targetColumn = IndexOf(header, task.TargetColumn);
            if (idColumn < 0)
            {
                errors.Add(1, null, $"Missing column '{task.IdColumn}' in the header.");
            }

            var classColumns = new List<int>();
            var classNames = new List<string>();
            if (task.Kind is TaskKind.Probability or TaskKind.MultiLabelProbability && targetColumn < 0)
            {
                // One-hot (multi-hot) truth: every other column is a class, like the submission itself.
                for (int column = 0; column < header.Length; column++)
                {
                    if (column != idColumn && column != usageColumn)
                    {
                        classColumns.Add(column);
                        classNames.Add(header[column]);
                    }
                }
                if (classColumns.Count == 0)
                {
                    errors.Add(1, null, $"Missing column '{task.TargetColumn}' (or one 0/1 column per class).");
                }
                else if (task.Classes is { } declared)
                {
                    ReportClassColumnMismatch(header, classColumns, declared, errors);
                    classNames = classNames.Select(n => declared.First(d => string.Equals(d, n, StringComparison.OrdinalIgnoreCase))).ToList();
                }
            }
            else
            {
                if (targetColumn < 0)
                {
                    errors.Add(1, null, $"Missing column '{task.TargetColumn}' in the header.");
                }
                for (int column = 0; column < header.Length; column++)
                {
                    if (column != idColumn && column != usageColumn && column != targetColumn)
                    {
                        errors.Add(1, column + 1, $"Unexpected column '{header[column]}'. A solution has the columns {task.IdColumn}, {task.TargetColumn} and optionally {task.UsageColumn}.");
                    }
                }
            }
            return errors.Count > before
                ? null
                : new SolutionLayout(idColumn, usageColumn, targetColumn, classColumns.ToArray(), classNames.ToArray(), header.Length);
        }

        private static void ReportClassColumnMismatch(string[] header, List<int> classColumns, IReadOnlyList<string> declared, ErrorCollector errors)
        {
            foreach (int column in classColumns)
            {
                if (!declared.Contains(header[column], StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add(1, column + 1, $"Column '{header[column]}' is not one of the task's classes.");
                }
            }
            // A declared class with no column is a class no hidden row holds: a test set need not
            // contain every class, and the submission's columns follow the declared list anyway.
        }
    }

    internal static int IndexOf(string[] header, string name) =>
        Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));

    internal static void ReportDuplicateColumns(string[] header, ErrorCollector errors)
    {
        // A dictionary, not a pairwise scan: a garbage "header" can have millions of columns.
        var firstColumn = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int column = 0; column < header.Length; column++)
        {
            if (!firstColumn.TryAdd(header[column], column))
            {
                errors.Add(1, column + 1, $"Column '{header[column]}' appears twice in the header (columns {firstColumn[header[column]] + 1} and {column + 1}).");
            }
        }
    }

    /// <summary>Accumulates the solution's rows while they are read.</summary>
    private sealed class SolutionRows
    {
        private readonly TaskDefinition _task;
        private readonly SolutionLayout _layout;
        private readonly ClassSet? _declaredClasses;
        private readonly ByteKeyTable _discoveredClasses = new();
        private readonly List<RowUsage> _usage = [];
        private readonly List<int> _lines = [];
        private readonly List<int> _truthClass = [];
        private readonly List<int> _labelOffsets = [0];
        private readonly List<int> _labels = [];
        private readonly List<double> _truthValues = [];
        private readonly ByteKeyTable _items = new();
        private readonly Ragged.Builder _rowItems = new();
        private readonly Ragged.Builder _runs = new();
        private readonly List<int> _scratch = [];
        private readonly ulong _seedKey;

        public SolutionRows(TaskDefinition task, SolutionLayout layout)
        {
            _task = task;
            _layout = layout;
            if (task.Kind == TaskKind.BinaryProbability)
            {
                _declaredClasses = new ClassSet(BinaryClasses(task));
            }
            else if (task.Classes is { } declared)
            {
                _declaredClasses = new ClassSet(declared);
            }
            else if (layout.OneHot)
            {
                _declaredClasses = new ClassSet(layout.ClassNames);
            }
            _seedKey = SplitMix((ulong)(uint)task.Seed);
        }

        public IdIndex Ids { get; } = new();

        public void Add(CsvTable table, ErrorCollector errors)
        {
            int line = table.Line;
            var id = table.Field(_layout.IdColumn);
            if (id.IsEmpty)
            {
                errors.Add(line, _layout.IdColumn + 1, "The Id is empty.");
            }
            int row = Ids.Add(id);
            if (row < 0)
            {
                errors.Add(line, _layout.IdColumn + 1, $"Id {table.Quote(_layout.IdColumn)} appears more than once (first on line {_lines[~row]}).");
                return;
            }
            _lines.Add(line);
            _usage.Add(ReadUsage(table, line, errors));

            switch (_task.Kind)
            {
                case TaskKind.Label:
                    _truthClass.Add(ReadClass(table, _layout.TargetColumn, line, errors));
                    break;
                case TaskKind.Probability when _layout.OneHot:
                    _truthClass.Add(ReadOneHot(table, line, errors));
                    break;
                case TaskKind.Probability:
                    _truthClass.Add(ReadClass(table, _layout.TargetColumn, line, errors));
                    break;
                case TaskKind.MultiLabel:
                case TaskKind.MultiLabelProbability when !_layout.OneHot:
                    ReadLabelSet(table, line, errors);
                    break;
                case TaskKind.MultiLabelProbability:
                    ReadMultiHot(table, line, errors);
                    break;
                case TaskKind.Regression:
                    _truthValues.Add(ReadValue(table, line, errors));
                    break;
                case TaskKind.BinaryProbability:
                    _truthClass.Add(ReadClass(table, _layout.TargetColumn, line, errors));
                    break;
                case TaskKind.Ranking:
                    ReadItems(table, row);
                    break;
                case TaskKind.Mask:
                    ReadMask(table, row, line, errors);
                    break;
            }
        }

        /// <summary>Negative class first, positive second, whatever order the task lists them in.</summary>
        private static string[] BinaryClasses(TaskDefinition task)
        {
            var names = task.Classes ?? ["0", "1"];
            string positive = task.PositiveClass ?? names[1];
            return [names[0] == positive ? names[1] : names[0], positive];
        }

        private void ReadMultiHot(CsvTable table, int line, ErrorCollector errors)
        {
            for (int i = 0; i < _layout.ClassColumns.Length; i++)
            {
                int column = _layout.ClassColumns[i];
                if (!FastDouble.TryParse(table.Field(column), out double value) || (value != 0 && value != 1))
                {
                    errors.Add(line, column + 1, $"A multi-label solution cell must be 0 or 1, not {table.Quote(column)}.");
                }
                else if (value == 1)
                {
                    _labels.Add(_declaredClasses!.Find(Encoding.UTF8.GetBytes(_layout.ClassNames[i])));
                }
            }
            _labelOffsets.Add(_labels.Count);
        }

        /// <summary>The relevant items of a row, as a set: a repeated item counts once.</summary>
        private void ReadItems(CsvTable table, int row)
        {
            var cell = table.Field(_layout.TargetColumn);
            _scratch.Clear();
            foreach (var range in cell.Split((byte)' '))
            {
                var item = cell[range];
                if (!item.IsEmpty)
                {
                    int index = _items.Add(item);
                    if (index >= 0 || !_scratch.Contains(~index))
                    {
                        _scratch.Add(index >= 0 ? index : ~index);
                    }
                }
            }
            _rowItems.Set(row, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scratch));
        }

        private void ReadMask(CsvTable table, int row, int line, ErrorCollector errors)
        {
            int column = _layout.TargetColumn;
            if (RunLengthMask.Parse(table.Field(column), (long)_task.ImageWidth * _task.ImageHeight, _scratch) is { } problem)
            {
                errors.Add(line, column + 1, problem);
                return;
            }
            _runs.Set(row, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scratch));
        }

        private RowUsage ReadUsage(CsvTable table, int line, ErrorCollector errors)
        {
            if (_layout.UsageColumn < 0)
            {
                return RowUsage.Private;
            }
            string text = table.Text(_layout.UsageColumn).Trim();
            if (Enum.TryParse<RowUsage>(text, ignoreCase: true, out var usage) && Enum.IsDefined(usage) && !int.TryParse(text, out _))
            {
                return usage;
            }
            errors.Add(line, _layout.UsageColumn + 1, $"Usage must be Public, Private or Ignored, not {table.Quote(_layout.UsageColumn)}.");
            return RowUsage.Ignored;
        }

        private int ReadClass(CsvTable table, int column, int line, ErrorCollector errors)
        {
            var name = table.Field(column);
            if (name.IsEmpty)
            {
                errors.Add(line, column + 1, "The class is empty.");
                return 0;
            }
            return LookupClass(name, table, column, line, errors);
        }

        private int LookupClass(ReadOnlySpan<byte> name, CsvTable table, int column, int line, ErrorCollector errors)
        {
            if (_declaredClasses is null)
            {
                int index = _discoveredClasses.Add(name);
                return index >= 0 ? index : ~index;
            }
            int found = _declaredClasses.Find(name);
            if (found < 0)
            {
                errors.Add(line, column + 1, _declaredClasses.DescribeUnknown(Encoding.UTF8.GetString(name)));
                return 0;
            }
            return found;
        }

        private int ReadOneHot(CsvTable table, int line, ErrorCollector errors)
        {
            int trueClass = -1;
            bool malformed = false;
            for (int i = 0; i < _layout.ClassColumns.Length; i++)
            {
                int column = _layout.ClassColumns[i];
                if (!FastDouble.TryParse(table.Field(column), out double value) || (value != 0 && value != 1))
                {
                    errors.Add(line, column + 1, $"A one-hot solution cell must be 0 or 1, not {table.Quote(column)}.");
                    malformed = true;
                }
                else if (value == 1)
                {
                    malformed |= trueClass >= 0;
                    trueClass = _declaredClasses!.Find(Encoding.UTF8.GetBytes(_layout.ClassNames[i]));
                }
            }
            if (trueClass < 0 || malformed)
            {
                errors.Add(line, null, "A one-hot solution row must have exactly one 1 among the class columns.");
                return 0;
            }
            return trueClass;
        }

        private void ReadLabelSet(CsvTable table, int line, ErrorCollector errors)
        {
            var cell = table.Field(_layout.TargetColumn);
            foreach (var range in cell.Split((byte)' '))
            {
                var label = cell[range];
                if (!label.IsEmpty)
                {
                    _labels.Add(LookupClass(label, table, _layout.TargetColumn, line, errors));
                }
            }
            _labelOffsets.Add(_labels.Count);
        }

        private double ReadValue(CsvTable table, int line, ErrorCollector errors)
        {
            int column = _layout.TargetColumn;
            if (!FastDouble.TryParse(table.Field(column), out double value))
            {
                errors.Add(line, column + 1, $"{table.Quote(column)} is not a number.");
                return 0;
            }
            if (!double.IsFinite(value))
            {
                errors.Add(line, column + 1, $"The target must be a finite number, not {table.Quote(column)}.");
                return 0;
            }
            if (value < 0 && string.Equals(_task.Metric, "rmsle", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(line, column + 1, "rmsle needs targets of at least 0: it takes log(1 + value).");
            }
            return value;
        }

        public Solution? Build(ErrorCollector errors)
        {
            Ids.Seal();
            var classes = ResolveClasses(out int[]? remap);
            if (_task.Kind == TaskKind.Probability && classes.Count < 2)
            {
                errors.Add(null, null, "A probability task needs at least two classes.");
            }
            var weights = ResolveWeights(classes, errors);
            Taxonomy? taxonomy = null;
            if (_task.ClassParents is { } parents)
            {
                taxonomy = Taxonomy.Build(classes.Names, parents, out string? problem);
                if (problem is not null)
                {
                    errors.Add(null, null, problem);
                }
            }
            if (errors.HasErrors)
            {
                return null;
            }

            int[]? truthClass = null;
            ulong[]? truthLabels = null;
            double[]? truthValues = null;
            switch (_task.Kind)
            {
                case TaskKind.Label or TaskKind.Probability or TaskKind.BinaryProbability:
                    truthClass = _truthClass.ToArray();
                    if (remap is not null)
                    {
                        for (int i = 0; i < truthClass.Length; i++)
                        {
                            truthClass[i] = remap[truthClass[i]];
                        }
                    }
                    break;
                case TaskKind.MultiLabel or TaskKind.MultiLabelProbability:
                    truthLabels = BuildLabelBits(classes.Count, remap);
                    break;
                case TaskKind.Regression:
                    truthValues = _truthValues.ToArray();
                    break;
            }

            var usage = _usage.ToArray();
            if (_layout.UsageColumn < 0)
            {
                AssignSeededSplit(usage);
            }
            return new Solution(_task, Ids, classes, usage, _layout.UsageColumn >= 0, truthClass, truthLabels, truthValues, weights)
            {
                TruthItems = _task.Kind == TaskKind.Ranking ? _rowItems.Build(Ids.Count) : null,
                Items = _task.Kind == TaskKind.Ranking ? _items : null,
                TruthRuns = _task.Kind == TaskKind.Mask ? _runs.Build(Ids.Count) : null,
                Taxonomy = taxonomy,
            };
        }

        private ClassSet ResolveClasses(out int[]? remap)
        {
            remap = null;
            if (_task.Kind is TaskKind.Regression or TaskKind.Ranking or TaskKind.Mask)
            {
                return new ClassSet([]);
            }
            if (_declaredClasses is not null)
            {
                return _declaredClasses;
            }
            var found = Enumerable.Range(0, _discoveredClasses.Count).Select(i => Encoding.UTF8.GetString(_discoveredClasses.GetKey(i))).ToArray();
            var ordered = ClassSet.NaturalOrder(found);
            var position = ordered.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index, StringComparer.Ordinal);
            remap = found.Select(name => position[name]).ToArray();
            return new ClassSet(ordered);
        }

        private double[]? ResolveWeights(ClassSet classes, ErrorCollector errors)
        {
            bool needed = string.Equals(_task.Metric, "weighted_accuracy", StringComparison.OrdinalIgnoreCase);
            if (_task.ClassWeights is not { } given)
            {
                if (needed)
                {
                    errors.Add(null, null, $"weighted_accuracy needs a weight for every class ({classes.ListForMessage()}).");
                }
                return null;
            }
            var weights = new double[classes.Count];
            var assigned = new bool[classes.Count];
            foreach (var (name, weight) in given)
            {
                int index = Array.FindIndex(classes.Names, c => string.Equals(c, name, StringComparison.Ordinal));
                if (index < 0)
                {
                    errors.Add(null, null, $"A weight is given for '{name}', which is not a class of this task.");
                    continue;
                }
                weights[index] = weight;
                assigned[index] = true;
            }
            var missing = classes.Names.Where((_, i) => !assigned[i]).ToArray();
            if (missing.Length > 0)
            {
                errors.Add(null, null, $"Class weights are missing for: {string.Join(", ", missing)}.");
            }
            return weights;
        }

        private ulong[] BuildLabelBits(int classCount, int[]? remap)
        {
            int words = (classCount + 63) / 64;
            var bits = new ulong[Math.Max(1, Ids.Count * words)];
            for (int row = 0; row < Ids.Count; row++)
            {
                for (int i = _labelOffsets[row]; i < _labelOffsets[row + 1]; i++)
                {
                    int label = remap is null ? _labels[i] : remap[_labels[i]];
                    bits[row * words + (label >> 6)] |= 1UL << (label & 63);
                }
            }
            return bits;
        }

        /// <summary>
        /// Seeded split without a Usage column: the public rows are the round(fraction x rows)
        /// rows with the smallest hash of (seed, Id text), ties broken by row. The hash is FNV-1a
        /// plus a SplitMix64 finaliser, written out here so the split never changes with the .NET
        /// version or with the order of the rows in the file, and gives exactly the configured
        /// share. The k smallest keys are found in linear time: a histogram of the top 16 bits
        /// finds the bucket holding the boundary, and only that bucket is sorted.
        /// </summary>
        private void AssignSeededSplit(RowUsage[] usage)
        {
            int rows = usage.Length;
            var keys = new ulong[rows];
            Span<byte> scratch = stackalloc byte[16];
            for (int row = 0; row < rows; row++)
            {
                keys[row] = SplitMix(Fnv1a(Ids.GetIdBytes(row, scratch)) ^ _seedKey);
            }
            int publicCount = (int)Math.Round(_task.PublicFraction * rows, MidpointRounding.AwayFromZero);

            var bucketSizes = new int[1 << 16];
            foreach (ulong key in keys)
            {
                bucketSizes[key >> 48]++;
            }
            int boundary = 0;
            int below = 0;
            while (boundary < bucketSizes.Length && below + bucketSizes[boundary] <= publicCount)
            {
                below += bucketSizes[boundary++];
            }
            var boundaryRows = new List<int>();
            for (int row = 0; row < rows; row++)
            {
                ulong bucket = keys[row] >> 48;
                usage[row] = bucket < (ulong)boundary ? RowUsage.Public : RowUsage.Private;
                if (bucket == (ulong)boundary)
                {
                    boundaryRows.Add(row);
                }
            }
            boundaryRows.Sort((a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
            for (int i = 0; i < publicCount - below; i++)
            {
                usage[boundaryRows[i]] = RowUsage.Public;
            }
        }

        private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
        {
            ulong hash = 14695981039346656037;
            foreach (byte b in bytes)
            {
                hash = (hash ^ b) * 1099511628211;
            }
            return hash;
        }

        private static ulong SplitMix(ulong value)
        {
            value += 0x9E3779B97F4A7C15;
            value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9;
            value = (value ^ (value >> 27)) * 0x94D049BB133111EB;
            return value ^ (value >> 31);
        }
    }
}
