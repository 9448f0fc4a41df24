using Challenge.Ml.Backends;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>Layers applied in order; backward runs them in reverse.</summary>
public sealed class Sequential : IDisposable
{
    private readonly Layer[] _layers;

    public Sequential(IBackend backend, params Layer[] layers)
    {
        if (layers.Length == 0)
        {
            throw new ArgumentException("A network needs at least one layer.");
        }

        Backend = backend;
        _layers = layers;
        _layers[0].ComputesInputGradient = false;
        Parameters = [.. layers.SelectMany(layer => layer.Parameters)];
    }

    public IBackend Backend { get; }

    public IReadOnlyList<Layer> Layers => _layers;

    public IReadOnlyList<Parameter> Parameters { get; }

    public Tensor Forward(Tensor input, bool training)
    {
        var activation = input;
        foreach (var layer in _layers)
        {
            activation = layer.Forward(activation, training);
        }

        return activation;
    }

    public void Backward(Tensor outputGradient)
    {
        var gradient = outputGradient;
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }
    }

    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }
    }
}
