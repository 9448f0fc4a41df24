using Challenge.Ml.Tensors;

namespace Challenge.Ml.Layers;

/// <summary>A trainable tensor with its gradient, which each backward pass overwrites.</summary>
public sealed class Parameter(string name, Tensor value, bool decays)
{
    public string Name { get; } = name;

    public Tensor Value { get; } = value;

    public Tensor Gradient { get; } = value.Backend.Allocate(value.Shape.ToArray());

    /// <summary>Whether weight decay applies; biases and batch-norm scales are left alone.</summary>
    public bool Decays { get; } = decays;
}
