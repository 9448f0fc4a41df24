using System.Globalization;

namespace Challenge.Worker.Commands;

/// <summary>
/// "--name value" options and "--flag" switches of one command, checked against the names the
/// command knows so that a typo is an error instead of a silently ignored option.
/// </summary>
public sealed class CommandArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public CommandArguments(IReadOnlyList<string> args, IReadOnlySet<string> options, IReadOnlySet<string> flags)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (flags.Contains(name))
            {
                _flags.Add(name);
            }
            else if (options.Contains(name))
            {
                if (i + 1 >= args.Count)
                {
                    throw new CommandLineException($"{name} needs a value.");
                }

                _values[name] = args[++i];
            }
            else
            {
                throw new CommandLineException($"Unknown argument '{name}'.");
            }
        }
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new CommandLineException($"{name} is required.");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public string String(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback, int minimum = int.MinValue)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw new CommandLineException($"{name} must be an integer of at least {minimum}, not '{text}'.");
        }

        return value;
    }

    public float Float(string name, float fallback, float minimum, float maximum)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            throw new CommandLineException($"{name} must be a number between {minimum} and {maximum}, not '{text}'.");
        }

        return value;
    }
}
