namespace Challenge.Scoring.Validation;

/// <summary>One reason a file was rejected.</summary>
/// <param name="Line">1-based line of the file (the header is line 1); null for problems about the whole file, such as missing Ids.</param>
/// <param name="Column">1-based column where it applies, otherwise null.</param>
/// <param name="Message">Plain-English explanation meant for the person who uploaded the file.</param>
public sealed record ValidationError(int? Line, int? Column, string Message);
