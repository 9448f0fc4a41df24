using Challenge.Ml.Tensors;

namespace Challenge.Ml.Backends;

/// <summary>
/// Everything the layers, losses and optimisers ask of a device. Tensors are row-major; images
/// are NHWC so that a convolution is one matrix product over im2col rows. Host data only
/// crosses the boundary through the copy methods and the label spans, so a GPU or TorchSharp
/// backend can keep every tensor on its device.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>Human-readable device name, e.g. "cpu (2 threads)".</summary>
    string Name { get; }

    DeviceKind Kind { get; }

    /// <summary>Allocates a zero-filled tensor.</summary>
    Tensor Allocate(params int[] shape);

    void CopyFromHost(ReadOnlySpan<float> source, Tensor destination);

    void CopyToHost(Tensor source, Span<float> destination);

    void Fill(Tensor tensor, float value);

    void Copy(Tensor source, Tensor destination);

    /// <summary>
    /// c = alpha * op(a) * op(b) + beta * c with op(a) of shape [m, k], op(b) [k, n], c [m, n];
    /// a transposed operand is stored the other way round ([k, m] or [n, k]).
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    /// <summary>result = a * b, element-wise.</summary>
    void Multiply(Tensor a, Tensor b, Tensor result);

    /// <summary>y += alpha * x.</summary>
    void Axpy(float alpha, Tensor x, Tensor y);

    /// <summary>Adds a vector of length cols to every row of a [rows, cols] matrix.</summary>
    void AddRowVector(Tensor matrix, Tensor vector);

    /// <summary>result[j] = sum over rows of matrix[i, j].</summary>
    void SumRows(Tensor matrix, Tensor result);

    float Sum(Tensor x);

    void Relu(Tensor x, Tensor y);

    /// <summary>dx = dy where x &gt; 0, else 0.</summary>
    void ReluBackward(Tensor x, Tensor dy, Tensor dx);

    void Im2Col(Tensor input, ConvGeometry geometry, Tensor columns);

    /// <summary>Scatters im2col gradients back to image gradients (overwrites inputGradient).</summary>
    void Col2Im(Tensor columns, ConvGeometry geometry, Tensor inputGradient);

    /// <summary>
    /// 2x2 max-pooling with stride 2 of an NHWC batch; <paramref name="argmax"/> (same shape as
    /// <paramref name="output"/>) records which of the four inputs won (0..3).
    /// </summary>
    void MaxPool2x2(Tensor input, int batch, int height, int width, int channels, Tensor output, Tensor argmax);

    void MaxPool2x2Backward(Tensor outputGradient, Tensor argmax, int batch, int height, int width, int channels, Tensor inputGradient);

    /// <summary>Per-channel mean and biased variance of a [rows, channels] matrix.</summary>
    void ChannelMeanVariance(Tensor x, Tensor mean, Tensor variance);

    /// <summary>result = 1 / sqrt(variance + epsilon).</summary>
    void InverseStandardDeviation(Tensor variance, float epsilon, Tensor result);

    /// <summary>target = (1 - weight) * target + weight * sourceScale * source.</summary>
    void Lerp(Tensor target, Tensor source, float weight, float sourceScale);

    /// <summary>
    /// normalized = (x - mean) * invStd and y = gamma * normalized + beta over [rows, channels].
    /// </summary>
    void BatchNormForward(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor normalized, Tensor y);

    /// <summary>
    /// Gradients of training-mode batch norm (batch statistics), given the normalised input
    /// saved by the forward pass.
    /// </summary>
    void BatchNormBackward(Tensor dy, Tensor normalized, Tensor invStd, Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta);

    /// <summary>Row-wise softmax of a [rows, classes] matrix.</summary>
    void Softmax(Tensor logits, Tensor probabilities);

    /// <summary>
    /// Mean cross-entropy of softmax(logits) against labels; writes the probabilities and the
    /// gradient of the mean loss with respect to the logits.
    /// </summary>
    float SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor logitsGradient);

    /// <summary>SGD with momentum and L2 weight decay: v = momentum*v + g + wd*p; p -= lr*v.</summary>
    void SgdStep(Tensor parameter, Tensor gradient, Tensor velocity, float learningRate, float momentum, float weightDecay);

    /// <summary>Adam with decoupled weight decay (AdamW); step counts from 1.</summary>
    void AdamStep(
        Tensor parameter,
        Tensor gradient,
        Tensor firstMoment,
        Tensor secondMoment,
        float learningRate,
        float beta1,
        float beta2,
        float epsilon,
        float weightDecay,
        int step);
}
