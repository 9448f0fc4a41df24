using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Challenge.Testing;

// Marks a test class that runs its (inherited) tests against PostgreSQL.
public interface IPostgresTests;

// A test that runs once per provider through concrete subclasses of an abstract test class. On a
// PostgreSQL subclass it is skipped, with a message saying how to run it, when no server is
// configured, except in CI (CI=true), where it runs and fails.
[XunitTestCaseDiscoverer("Challenge.Testing.DatabaseFactDiscoverer", "Challenge.Testing")]
public sealed class DatabaseFactAttribute : FactAttribute;

public sealed class DatabaseFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (testClass is not null && typeof(IPostgresTests).IsAssignableFrom(testClass) && TestDatabase.PostgresSkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(diagnostics, display, displayOptions, testMethod, reason)];
        }
        return [new XunitTestCase(diagnostics, display, displayOptions, testMethod)];
    }
}

// The theory form of DatabaseFact.
[XunitTestCaseDiscoverer("Challenge.Testing.DatabaseTheoryDiscoverer", "Challenge.Testing")]
public sealed class DatabaseTheoryAttribute : TheoryAttribute;

public sealed class DatabaseTheoryDiscoverer(IMessageSink diagnostics) : TheoryDiscoverer(diagnostics)
{
    private readonly IMessageSink _diagnostics = diagnostics;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (testClass is not null && typeof(IPostgresTests).IsAssignableFrom(testClass) && TestDatabase.PostgresSkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }
        return base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }
}
