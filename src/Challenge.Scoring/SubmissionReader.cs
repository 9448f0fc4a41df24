using System.Text;
using Challenge.Scoring.Csv;
using Challenge.Scoring.Validation;

namespace Challenge.Scoring;

/// <summary>The streaming hot path: checks every row of a submission and stores its prediction in the row's slot.</summary>
internal sealed class SubmissionReader
{
    private const int MissingIdsShown = 5;

    private readonly Solution _solution;
    private readonly ErrorCollector _errors = new();
    private readonly ulong[] _seen;
    private readonly int _classCount;
    private int _idColumn;
    private int _targetColumn = -1;
    private int[] _classOfColumn = [];
    private int[]? _predictedClass;
    private double[]? _probabilities;
    private ulong[]? _predictedLabels;
    private double[]? _predictedValues;
    private Ragged.Builder? _predictedItems;
    private Ragged.Builder? _predictedRuns;
    private readonly List<int> _scratch = [];
    private string[] _header = [];

    private SubmissionReader(Solution solution)
    {
        _solution = solution;
        _classCount = solution.ClassSet.Count;
        _seen = new ulong[(solution.RowCount + 63) / 64];
    }

    public static ValidationOutcome<Submission> Read(Solution solution, Stream stream)
    {
        var reader = new SubmissionReader(solution);
        return reader.ReadAll(stream);
    }

    private ValidationOutcome<Submission> ReadAll(Stream stream)
    {
        using var table = new CsvTable(stream, _solution.Task.MaxFileBytes, _errors);
        var header = table.ReadHeader();
        if (header is null || !MapHeader(header))
        {
            return ValidationOutcome<Submission>.Rejected(_errors.ToReport());
        }
        AllocatePredictions();
        table.RowRejected = () => MarkAnswered(table);

        while (table.NextRow())
        {
            ReadRow(table);
        }
        if (table.Reader.FatalProblem is null)
        {
            ReportMissingIds(table.DataRows);
        }
        if (_errors.HasErrors)
        {
            return ValidationOutcome<Submission>.Rejected(_errors.ToReport());
        }
        return ValidationOutcome<Submission>.Accepted(
            new Submission(_solution, table.DataRows, _predictedClass, _probabilities, _predictedLabels, _predictedValues)
            {
                PredictedItems = _predictedItems?.Build(_solution.RowCount),
                PredictedRuns = _predictedRuns?.Build(_solution.RowCount),
            });
    }

    private bool MapHeader(string[] header)
    {
        _header = header;
        var task = _solution.Task;
        int before = _errors.Count;
        SolutionReader.ReportDuplicateColumns(header, _errors);
        _idColumn = SolutionReader.IndexOf(header, task.IdColumn);
        if (_idColumn < 0)
        {
            _errors.Add(1, null, $"Missing column '{task.IdColumn}' in the header. Expected: {ExpectedHeader()}.");
        }

        _classOfColumn = Enumerable.Repeat(-1, header.Length).ToArray();
        if (HasClassColumns(task.Kind))
        {
            var found = new bool[_classCount];
            for (int column = 0; column < header.Length; column++)
            {
                if (column == _idColumn)
                {
                    continue;
                }
                int classIndex = _solution.ClassSet.IndexOfIgnoringCase(header[column]);
                if (classIndex < 0)
                {
                    _errors.Add(1, column + 1, $"Unexpected column '{header[column]}': it is not one of the classes. Expected: {ExpectedHeader()}.");
                }
                else if (!found[classIndex])
                {
                    found[classIndex] = true;
                    _classOfColumn[column] = classIndex;
                }
            }
            var missing = _solution.Classes.Where((_, i) => !found[i]).ToArray();
            if (missing.Length > 0)
            {
                string shown = string.Join(", ", missing.Take(10).Select(m => $"'{m}'"));
                _errors.Add(1, null, $"Missing {(missing.Length == 1 ? "column" : $"{missing.Length} columns")} for class {shown}{(missing.Length > 10 ? ", ..." : "")}. Expected: {ExpectedHeader()}.");
            }
        }
        else
        {
            _targetColumn = SolutionReader.IndexOf(header, task.TargetColumn);
            if (_targetColumn < 0)
            {
                string hint = task.Kind == TaskKind.BinaryProbability ? $" A binary task takes one column, the probability of '{_solution.Classes[1]}'." : "";
                _errors.Add(1, null, $"Missing column '{task.TargetColumn}' in the header.{hint} Expected: {ExpectedHeader()}.");
            }
            for (int column = 0; column < header.Length; column++)
            {
                if (column != _idColumn && column != _targetColumn)
                {
                    _errors.Add(1, column + 1, $"Unexpected column '{header[column]}'. Expected: {ExpectedHeader()}.");
                }
            }
        }
        return _errors.Count == before;
    }

    private string ExpectedHeader()
    {
        var task = _solution.Task;
        if (!HasClassColumns(task.Kind))
        {
            return $"{task.IdColumn},{task.TargetColumn}";
        }
        var names = _solution.Classes.Take(8).Prepend(task.IdColumn);
        return string.Join(",", names) + (_solution.Classes.Count > 8 ? ",..." : "");
    }

    private static bool HasClassColumns(TaskKind kind) => kind is TaskKind.Probability or TaskKind.MultiLabelProbability;

    private void AllocatePredictions()
    {
        int rows = _solution.RowCount;
        switch (_solution.Kind)
        {
            case TaskKind.Label:
                _predictedClass = new int[rows];
                break;
            case TaskKind.Probability:
                _predictedClass = new int[rows];
                _probabilities = new double[(long)rows * _classCount];
                break;
            case TaskKind.MultiLabel:
                _predictedLabels = new ulong[Math.Max(1, rows * _solution.LabelWords)];
                break;
            case TaskKind.Regression:
                _predictedValues = new double[rows];
                break;
            case TaskKind.BinaryProbability:
                _predictedClass = new int[rows];
                _probabilities = new double[(long)rows * 2];
                break;
            case TaskKind.MultiLabelProbability:
                _probabilities = new double[(long)rows * _classCount];
                break;
            case TaskKind.Ranking:
                _predictedItems = new Ragged.Builder();
                break;
            case TaskKind.Mask:
                _predictedRuns = new Ragged.Builder();
                break;
        }
    }

    private void ReadRow(CsvTable table)
    {
        var id = table.Field(_idColumn);
        int row = _solution.Ids.Find(id);
        if (row < 0)
        {
            _errors.Add(table.Line, _idColumn + 1, id.IsEmpty ? "The Id is empty." : $"Id {table.Quote(_idColumn)} is not in the solution.");
            return;
        }
        ref ulong seenWord = ref _seen[row >> 6];
        ulong bit = 1UL << (row & 63);
        if ((seenWord & bit) != 0)
        {
            _errors.Add(table.Line, _idColumn + 1, $"Id {table.Quote(_idColumn)} appears more than once; give exactly one prediction per Id.");
            return;
        }
        seenWord |= bit;

        switch (_solution.Kind)
        {
            case TaskKind.Label:
                ReadLabel(table, row);
                break;
            case TaskKind.Probability:
                ReadProbabilities(table, row);
                break;
            case TaskKind.MultiLabel:
                ReadLabelSet(table, row);
                break;
            case TaskKind.Regression:
                ReadValue(table, row);
                break;
            case TaskKind.BinaryProbability:
                ReadBinaryProbability(table, row);
                break;
            case TaskKind.MultiLabelProbability:
                ReadIndependentProbabilities(table, row);
                break;
            case TaskKind.Ranking:
                ReadRankedItems(table, row);
                break;
            case TaskKind.Mask:
                ReadMask(table, row);
                break;
        }
    }

    /// <summary>
    /// One probability of the positive class, kept as the pair (1 - p, p) so the two-class
    /// metrics (ROC AUC and Brier on the second class, log loss on the true one) apply unchanged.
    /// </summary>
    private void ReadBinaryProbability(CsvTable table, int row)
    {
        if (ParseNumber(table, _targetColumn, "probability") is not double p)
        {
            return;
        }
        if (p is < 0 or > 1)
        {
            _errors.Add(table.Line, _targetColumn + 1, $"The probability {table.Quote(_targetColumn)} is outside [0, 1]; give the probability of '{_solution.Classes[1]}'.");
            return;
        }
        _probabilities![2 * row] = 1 - p;
        _probabilities[2 * row + 1] = p;
        _predictedClass![row] = p >= _solution.Task.Threshold ? 1 : 0;
    }

    /// <summary>Multi-label probabilities are independent, one per class in [0, 1]; rows are not normalised.</summary>
    private void ReadIndependentProbabilities(CsvTable table, int row)
    {
        var values = _probabilities.AsSpan((int)((long)row * _classCount), _classCount);
        for (int column = 0; column < _classOfColumn.Length; column++)
        {
            int classIndex = _classOfColumn[column];
            if (classIndex < 0 || ParseNumber(table, column, "probability") is not double value)
            {
                continue;
            }
            if (value is < 0 or > 1)
            {
                _errors.Add(table.Line, column + 1, $"The probability {table.Quote(column)} for class '{_header[column]}' is outside [0, 1].");
                continue;
            }
            values[classIndex] = value;
        }
    }

    /// <summary>
    /// The ranked list, cut to its first k items as Kaggle's apk does; an item the solution never
    /// names still takes its rank (it can never be relevant), so it is kept as -1.
    /// </summary>
    private void ReadRankedItems(CsvTable table, int row)
    {
        var cell = table.Field(_targetColumn);
        int k = _solution.Task.TopK;
        var items = _solution.Items!;
        _scratch.Clear();
        foreach (var range in cell.Split((byte)' '))
        {
            var item = cell[range];
            if (item.IsEmpty)
            {
                continue;
            }
            if (_scratch.Count == k)
            {
                break;
            }
            _scratch.Add(items.Find(item));
        }
        _predictedItems!.Set(row, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scratch));
    }

    private void ReadMask(CsvTable table, int row)
    {
        var task = _solution.Task;
        if (RunLengthMask.Parse(table.Field(_targetColumn), (long)task.ImageWidth * task.ImageHeight, _scratch) is { } problem)
        {
            _errors.Add(table.Line, _targetColumn + 1, problem);
            return;
        }
        _predictedRuns!.Set(row, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scratch));
    }

    private void MarkAnswered(CsvTable table)
    {
        if (_idColumn < table.Reader.FieldCount && _solution.Ids.Find(table.Field(_idColumn)) is int row and >= 0)
        {
            _seen[row >> 6] |= 1UL << (row & 63);
        }
    }

    private void ReadLabel(CsvTable table, int row)
    {
        var name = table.Field(_targetColumn);
        int classIndex = _solution.ClassSet.Find(name);
        if (classIndex < 0)
        {
            _errors.Add(table.Line, _targetColumn + 1, name.IsEmpty ? "The prediction is empty." : _solution.ClassSet.DescribeUnknown(Encoding.UTF8.GetString(name)));
            return;
        }
        _predictedClass![row] = classIndex;
    }

    private void ReadLabelSet(CsvTable table, int row)
    {
        var cell = table.Field(_targetColumn);
        var words = _predictedLabels.AsSpan(row * _solution.LabelWords, _solution.LabelWords);
        foreach (var range in cell.Split((byte)' '))
        {
            var label = cell[range];
            if (label.IsEmpty)
            {
                continue;
            }
            int classIndex = _solution.ClassSet.Find(label);
            if (classIndex < 0)
            {
                _errors.Add(table.Line, _targetColumn + 1, _solution.ClassSet.DescribeUnknown(Encoding.UTF8.GetString(label)));
                continue;
            }
            words[classIndex >> 6] |= 1UL << (classIndex & 63);
        }
    }

    private void ReadValue(CsvTable table, int row)
    {
        if (ParseNumber(table, _targetColumn, "prediction") is double value)
        {
            if (value < 0 && string.Equals(_solution.Task.Metric, "rmsle", StringComparison.OrdinalIgnoreCase))
            {
                _errors.Add(table.Line, _targetColumn + 1, $"Negative prediction {table.Quote(_targetColumn)}: rmsle takes log(1 + prediction), so predictions must be at least 0.");
                return;
            }
            _predictedValues![row] = value;
        }
    }

    /// <summary>
    /// Kaggle's rule, step one: each row is divided by its sum, so rows need not sum to 1.
    /// Clipping to [1e-15, 1 - 1e-15] happens later, inside log loss only, on these normalised
    /// values. The sum is taken in NumPy's pairwise order so the normalised values match those
    /// of the Python reference bit for bit (which matters for ties in ROC AUC).
    /// </summary>
    private void ReadProbabilities(CsvTable table, int row)
    {
        var values = _probabilities.AsSpan((int)((long)row * _classCount), _classCount);
        bool rowIsValid = true;
        for (int column = 0; column < _classOfColumn.Length; column++)
        {
            int classIndex = _classOfColumn[column];
            if (classIndex < 0)
            {
                continue;
            }
            if (ParseNumber(table, column, "probability") is not double value)
            {
                rowIsValid = false;
                continue;
            }
            if (value < 0)
            {
                _errors.Add(table.Line, column + 1, $"Negative probability {table.Quote(column)} for class '{_header[column]}'.");
                rowIsValid = false;
                continue;
            }
            values[classIndex] = value;
        }
        if (!rowIsValid)
        {
            return;
        }

        double sum = PairwiseSum.Of(values);
        if (!double.IsFinite(sum))
        {
            _errors.Add(table.Line, null, "The probabilities on this line add up to more than the largest number a double holds; give values between 0 and 1.");
            return;
        }
        if (!(sum > 0))
        {
            _errors.Add(table.Line, null, "The probabilities on this line are all 0; at least one must be positive.");
            return;
        }
        int best = 0;
        for (int k = 0; k < values.Length; k++)
        {
            values[k] /= sum;
            if (values[k] > values[best])
            {
                best = k;
            }
        }
        _predictedClass![row] = best;
    }

    private double? ParseNumber(CsvTable table, int column, string what)
    {
        var text = table.Field(column);
        if (!FastDouble.TryParse(text, out double value))
        {
            _errors.Add(table.Line, column + 1, text.IsEmpty ? $"The {what} is empty." : $"{table.Quote(column)} is not a number.");
            return null;
        }
        if (double.IsNaN(value))
        {
            _errors.Add(table.Line, column + 1, $"The {what} is NaN; every {what} must be a finite number.");
            return null;
        }
        if (double.IsInfinity(value))
        {
            _errors.Add(table.Line, column + 1, $"The {what} is infinite; every {what} must be a finite number.");
            return null;
        }
        return value;
    }

    private void ReportMissingIds(int dataRows)
    {
        int missing = 0;
        var examples = new List<string>(MissingIdsShown);
        for (int row = 0; row < _solution.RowCount; row++)
        {
            if ((_seen[row >> 6] & (1UL << (row & 63))) == 0)
            {
                missing++;
                if (examples.Count < MissingIdsShown)
                {
                    examples.Add($"'{_solution.GetId(row)}'");
                }
            }
        }
        if (missing == 0)
        {
            return;
        }
        string subject = dataRows == 0 ? "The file has a header but no predictions: " : "";
        string noun = missing == 1 ? "Id has" : "Ids have";
        string more = missing > examples.Count ? $" (and {missing - examples.Count:N0} more)" : "";
        _errors.Add(null, null, $"{subject}{missing:N0} of {_solution.RowCount:N0} {noun} no prediction, e.g. {string.Join(", ", examples)}{more}.");
    }
}
