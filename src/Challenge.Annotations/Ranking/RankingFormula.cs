using System.Globalization;

namespace Challenge.Annotations.Ranking;

/// <summary>A formula that could not be read: what is wrong and the 1-based character position of the bad token.</summary>
public sealed record FormulaError(int Position, string Message)
{
    public override string ToString() => $"position {Position}: {Message}";
}

/// <summary>
/// The organizer's ranking formula, e.g. <c>70 * labelled / max_labelled + 30 * honeypot_accuracy</c>. The language
/// is deliberately tiny: numbers, the named variables below, <c>+ - * /</c>, unary minus and parentheses; nothing
/// can call code or loop, so any text an organizer types is safe to evaluate. A division by zero gives 0, so that a
/// leaderboard where nobody has labelled anything yet shows zeros instead of failing.
/// </summary>
public sealed class RankingFormula
{
    /// <summary>The variables a formula may use, with what each one means.</summary>
    public static IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>
    {
        ["labelled"] = "images (assets) the team labelled: at least one box or image class",
        ["max_labelled"] = "the most images labelled by any team",
        ["total"] = "images in the asset set",
        ["coverage"] = "labelled / total, from 0 to 1",
        ["honeypot_accuracy"] = "share of the gold (honeypot) items the team labelled whose class agrees with gold, 0 to 1",
        ["kappa"] = "Cohen's kappa on those honeypot items",
        ["precision"] = "box precision against gold (right box and right class), 0 to 1",
        ["recall"] = "box recall against gold, 0 to 1",
        ["f1"] = "harmonic mean of box precision and recall, 0 to 1",
        ["mean_iou"] = "mean IoU of the team boxes paired with gold boxes",
        ["class_accuracy"] = "share of paired boxes whose class agrees with gold",
        ["map"] = "COCO AP averaged over IoU 0.50:0.95",
        ["map50"] = "COCO AP at IoU 0.50",
    };

    private readonly Node _root;

    private RankingFormula(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>Parses a formula; unknown variable names are errors, so typos show when the organizer saves it.</summary>
    public static bool TryParse(string text, out RankingFormula? formula, out FormulaError? error)
    {
        formula = null;
        try
        {
            var parser = new Parser(Tokenize(text));
            var root = parser.ParseExpression();
            parser.ExpectEnd();
            formula = new RankingFormula(text, root);
            error = null;
            return true;
        }
        catch (FormulaException ex)
        {
            error = ex.Error;
            return false;
        }
    }

    /// <summary>Evaluates with the given variables; a variable the formula uses but the caller did not give counts as 0.</summary>
    public double Evaluate(IReadOnlyDictionary<string, double> variables) => _root.Evaluate(variables);

    /// <summary>The variables this formula actually uses.</summary>
    public IReadOnlySet<string> UsedVariables => _root.Variables().ToHashSet();

    private abstract record Node
    {
        public abstract double Evaluate(IReadOnlyDictionary<string, double> variables);

        public abstract IEnumerable<string> Variables();
    }

    private sealed record NumberNode(double Value) : Node
    {
        public override double Evaluate(IReadOnlyDictionary<string, double> variables) => Value;

        public override IEnumerable<string> Variables() => [];
    }

    private sealed record VariableNode(string Name) : Node
    {
        public override double Evaluate(IReadOnlyDictionary<string, double> variables) => variables.GetValueOrDefault(Name);

        public override IEnumerable<string> Variables() => [Name];
    }

    private sealed record NegateNode(Node Operand) : Node
    {
        public override double Evaluate(IReadOnlyDictionary<string, double> variables) => -Operand.Evaluate(variables);

        public override IEnumerable<string> Variables() => Operand.Variables();
    }

    private sealed record BinaryNode(char Operator, Node Left, Node Right) : Node
    {
        public override double Evaluate(IReadOnlyDictionary<string, double> variables)
        {
            var left = Left.Evaluate(variables);
            var right = Right.Evaluate(variables);
            return Operator switch
            {
                '+' => left + right,
                '-' => left - right,
                '*' => left * right,
                _ => right == 0 ? 0 : left / right,
            };
        }

        public override IEnumerable<string> Variables() => Left.Variables().Concat(Right.Variables());
    }

    private enum TokenKind
    {
        Number,
        Name,
        Operator,
        Open,
        Close,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position);

    private sealed class FormulaException(int position, string message) : Exception(message)
    {
        public FormulaError Error { get; } = new(position, message);
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiDigit(c) || c == '.')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, text[start..i], start + 1));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, text[start..i], start + 1));
            }
            else if (c is '+' or '-' or '*' or '/')
            {
                tokens.Add(new Token(TokenKind.Operator, c.ToString(), ++i));
            }
            else if (c is '(' or ')')
            {
                tokens.Add(new Token(c == '(' ? TokenKind.Open : TokenKind.Close, c.ToString(), ++i));
            }
            else
            {
                throw new FormulaException(i + 1, $"unexpected character '{c}'; use numbers, variable names, + - * / and parentheses");
            }
        }

        tokens.Add(new Token(TokenKind.End, "", text.Length + 1));
        return tokens;
    }

    /// <summary>Recursive descent: expression = term (('+'|'-') term)*, term = factor (('*'|'/') factor)*.</summary>
    private sealed class Parser(List<Token> tokens)
    {
        private const int MaxDepth = 100;
        private int _index;
        private int _depth;

        private Token Current => tokens[_index];

        public Node ParseExpression()
        {
            var node = ParseTerm();
            while (Current is { Kind: TokenKind.Operator, Text: "+" or "-" })
            {
                var op = tokens[_index++].Text[0];
                node = new BinaryNode(op, node, ParseTerm());
            }

            return node;
        }

        public void ExpectEnd()
        {
            if (Current.Kind != TokenKind.End)
            {
                throw new FormulaException(Current.Position, $"unexpected '{Current.Text}'; an operator is missing before it");
            }
        }

        private Node ParseTerm()
        {
            var node = ParseFactor();
            while (Current is { Kind: TokenKind.Operator, Text: "*" or "/" })
            {
                var op = tokens[_index++].Text[0];
                node = new BinaryNode(op, node, ParseFactor());
            }

            return node;
        }

        /// <summary>Bounds nesting (parentheses, repeated unary minus) so that no input can exhaust the stack.</summary>
        private Node ParseFactor()
        {
            if (++_depth > MaxDepth)
            {
                throw new FormulaException(Current.Position, "the formula nests too deeply");
            }

            var node = ParseFactorWithinDepth();
            _depth--;
            return node;
        }

        private Node ParseFactorWithinDepth()
        {
            var token = tokens[_index];
            switch (token.Kind)
            {
                case TokenKind.Number:
                    _index++;
                    if (!double.TryParse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                    {
                        throw new FormulaException(token.Position, $"'{token.Text}' is not a number");
                    }

                    return new NumberNode(value);
                case TokenKind.Name:
                    _index++;
                    if (!RankingFormula.Variables.ContainsKey(token.Text))
                    {
                        throw new FormulaException(token.Position,
                            $"unknown variable '{token.Text}'; known: {string.Join(", ", RankingFormula.Variables.Keys)}");
                    }

                    return new VariableNode(token.Text);
                case TokenKind.Operator when token.Text == "-":
                    _index++;
                    return new NegateNode(ParseFactor());
                case TokenKind.Open:
                    _index++;
                    var inner = ParseExpression();
                    if (Current.Kind != TokenKind.Close)
                    {
                        throw new FormulaException(Current.Position, "a '(' is not closed");
                    }

                    _index++;
                    return inner;
                case TokenKind.End:
                    throw new FormulaException(token.Position, "the formula ends where a number or variable is expected");
                default:
                    throw new FormulaException(token.Position, $"unexpected '{token.Text}' where a number or variable is expected");
            }
        }
    }
}
