using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Challenge.Ml.Tensors;
using Tensor = Challenge.Ml.Tensors.Tensor;

namespace Challenge.Ml.Backends;

/// <summary>
/// Host backend on <see cref="TensorPrimitives"/> and <see cref="CpuGemm"/>. Reductions run in
/// a fixed order so that a seeded run gives bitwise the same weights every time.
/// </summary>
public sealed class CpuBackend : IBackend
{
    // Below this many elements a parallel loop costs more than it saves.
    private const int ParallelThreshold = 1 << 15;

    /// <param name="maxThreads">
    /// At most this many threads for the parallel loops (null: every core). A server that trains
    /// beside serving pages keeps some cores for its requests this way.
    /// </param>
    public CpuBackend(int? maxThreads = null)
    {
        if (maxThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "At least one thread is needed.");
        }

        Threads = Math.Min(maxThreads ?? Environment.ProcessorCount, Environment.ProcessorCount);
        Parallelism = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    public int Threads { get; }

    internal ParallelOptions Parallelism { get; }

    public string Name => $"cpu ({Threads} threads)";

    public DeviceKind Kind => DeviceKind.Cpu;

    public Tensor Allocate(params int[] shape) => new(this, new CpuBuffer(new float[Tensor.ElementCount(shape)]), shape);

    /// <summary>Wraps a host array without copying; the tensor and the array share memory.</summary>
    public Tensor Wrap(float[] data, params int[] shape) => new(this, new CpuBuffer(data), shape);

    public void CopyFromHost(ReadOnlySpan<float> source, Tensor destination)
    {
        RequireLength(destination, source.Length);
        source.CopyTo(Data(destination));
    }

    public void CopyToHost(Tensor source, Span<float> destination) => ReadOnly(source).CopyTo(destination);

    public void Fill(Tensor tensor, float value) => Data(tensor).Fill(value);

    public void Copy(Tensor source, Tensor destination)
    {
        RequireLength(destination, source.Length);
        ReadOnly(source).CopyTo(Data(destination));
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, Tensor a, Tensor b, float beta, Tensor c) =>
        CpuGemm.Multiply(transposeA, transposeB, m, n, k, alpha, ReadOnly(a), ReadOnly(b), beta, Data(c), Parallelism);

    public void Multiply(Tensor a, Tensor b, Tensor result) => TensorPrimitives.Multiply(ReadOnly(a), ReadOnly(b), Data(result));

    public void Axpy(float alpha, Tensor x, Tensor y) => TensorPrimitives.MultiplyAdd(ReadOnly(x), alpha, ReadOnly(y), Data(y));

    public void AddRowVector(Tensor matrix, Tensor vector)
    {
        var data = Array(matrix);
        var row = Array(vector);
        var cols = row.Length;
        var rows = matrix.Length / cols;
        ForRows(rows, cols, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var span = data.AsSpan(i * cols, cols);
                TensorPrimitives.Add(span, row, span);
            }
        });
    }

    public void SumRows(Tensor matrix, Tensor result)
    {
        var data = Array(matrix);
        var sums = Data(result);
        var cols = sums.Length;
        var rows = matrix.Length / cols;
        sums.Clear();
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Add(sums, data.AsSpan(i * cols, cols), sums);
        }
    }

    public float Sum(Tensor x) => TensorPrimitives.Sum(ReadOnly(x));

    public void Relu(Tensor x, Tensor y)
    {
        var input = Array(x);
        var output = Array(y);
        ForRows(input.Length / 1024 + 1, 1024, (start, end) =>
        {
            var from = start * 1024;
            var to = Math.Min(input.Length, end * 1024);
            if (from < to)
            {
                TensorPrimitives.Max(input.AsSpan(from, to - from), 0f, output.AsSpan(from, to - from));
            }
        });
    }

    public unsafe void ReluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        var input = Array(x);
        var upstream = Array(dy);
        var downstream = Array(dx);
        ForRows(input.Length / 1024 + 1, 1024, (start, end) =>
        {
            var from = start * 1024;
            var to = Math.Min(input.Length, end * 1024);
            var i = from;
            fixed (float* px = input, pdy = upstream, pdx = downstream)
            {
                for (; i + 8 <= to; i += 8)
                {
                    var positive = Vector256.GreaterThan(Vector256.Load(px + i), Vector256<float>.Zero);
                    Vector256.Store(Vector256.BitwiseAnd(positive, Vector256.Load(pdy + i)), pdx + i);
                }
            }

            for (; i < to; i++)
            {
                downstream[i] = input[i] > 0f ? upstream[i] : 0f;
            }
        });
    }

    public void Im2Col(Tensor input, ConvGeometry geometry, Tensor columns)
    {
        var image = Array(input);
        var cols = Array(columns);
        var g = geometry;
        var (outH, outW, c, size) = (g.OutputHeight, g.OutputWidth, g.Channels, g.KernelSize);
        var rowWidth = g.ColumnWidth;
        Parallel.For(0, g.BatchSize, Parallelism, n =>
        {
            var imageOffset = n * g.Height * g.Width * c;
            for (var oy = 0; oy < outH; oy++)
            {
                for (var ox = 0; ox < outW; ox++)
                {
                    var row = cols.AsSpan(((n * outH + oy) * outW + ox) * rowWidth, rowWidth);
                    var tap = 0;
                    for (var ky = 0; ky < size; ky++)
                    {
                        var y = oy * g.Stride - g.Padding + ky;
                        for (var kx = 0; kx < size; kx++, tap += c)
                        {
                            var x = ox * g.Stride - g.Padding + kx;
                            var inside = (uint)y < (uint)g.Height && (uint)x < (uint)g.Width;
                            if (c == 1)
                            {
                                // A span copy per single value would cost more than the value.
                                row[tap] = inside ? image[imageOffset + y * g.Width + x] : 0f;
                            }
                            else if (inside)
                            {
                                image.AsSpan(imageOffset + (y * g.Width + x) * c, c).CopyTo(row.Slice(tap, c));
                            }
                            else
                            {
                                row.Slice(tap, c).Clear();
                            }
                        }
                    }
                }
            }
        });
    }

    public void Col2Im(Tensor columns, ConvGeometry geometry, Tensor inputGradient)
    {
        var cols = Array(columns);
        var image = Array(inputGradient);
        var g = geometry;
        var (outH, outW, c, size) = (g.OutputHeight, g.OutputWidth, g.Channels, g.KernelSize);
        var rowWidth = g.ColumnWidth;
        Parallel.For(0, g.BatchSize, Parallelism, n =>
        {
            var imageOffset = n * g.Height * g.Width * c;
            image.AsSpan(imageOffset, g.Height * g.Width * c).Clear();
            for (var oy = 0; oy < outH; oy++)
            {
                for (var ox = 0; ox < outW; ox++)
                {
                    var row = cols.AsSpan(((n * outH + oy) * outW + ox) * rowWidth, rowWidth);
                    var tap = 0;
                    for (var ky = 0; ky < size; ky++)
                    {
                        var y = oy * g.Stride - g.Padding + ky;
                        for (var kx = 0; kx < size; kx++, tap += c)
                        {
                            var x = ox * g.Stride - g.Padding + kx;
                            if ((uint)y < (uint)g.Height && (uint)x < (uint)g.Width)
                            {
                                var target = image.AsSpan(imageOffset + (y * g.Width + x) * c, c);
                                TensorPrimitives.Add(target, row.Slice(tap, c), target);
                            }
                        }
                    }
                }
            }
        });
    }

    public unsafe void MaxPool2x2(Tensor input, int batch, int height, int width, int channels, Tensor output, Tensor argmax)
    {
        var x = Array(input);
        var y = Array(output);
        var winner = Array(argmax);
        var (outH, outW) = (height / 2, width / 2);
        var vectorChannels = channels / 8 * 8;
        Parallel.For(0, batch, Parallelism, n =>
        {
            fixed (float* px = x, py = y, pw = winner)
            {
                for (var oy = 0; oy < outH; oy++)
                {
                    for (var ox = 0; ox < outW; ox++)
                    {
                        var outBase = ((n * outH + oy) * outW + ox) * channels;
                        var topLeft = ((n * height + 2 * oy) * width + 2 * ox) * channels;
                        var topRight = topLeft + channels;
                        var bottomLeft = topLeft + width * channels;
                        var bottomRight = bottomLeft + channels;
                        var ch = 0;
                        for (; ch < vectorChannels; ch += 8)
                        {
                            // Strictly greater keeps the first of equal values, as the scalar path does.
                            var best = Vector256.Load(px + topLeft + ch);
                            var index = Vector256<float>.Zero;
                            var candidate = Vector256.Load(px + topRight + ch);
                            var better = Vector256.GreaterThan(candidate, best);
                            best = Vector256.ConditionalSelect(better, candidate, best);
                            index = Vector256.ConditionalSelect(better, Vector256.Create(1f), index);
                            candidate = Vector256.Load(px + bottomLeft + ch);
                            better = Vector256.GreaterThan(candidate, best);
                            best = Vector256.ConditionalSelect(better, candidate, best);
                            index = Vector256.ConditionalSelect(better, Vector256.Create(2f), index);
                            candidate = Vector256.Load(px + bottomRight + ch);
                            better = Vector256.GreaterThan(candidate, best);
                            best = Vector256.ConditionalSelect(better, candidate, best);
                            index = Vector256.ConditionalSelect(better, Vector256.Create(3f), index);
                            Vector256.Store(best, py + outBase + ch);
                            Vector256.Store(index, pw + outBase + ch);
                        }

                        for (; ch < channels; ch++)
                        {
                            var best = px[topLeft + ch];
                            var bestIndex = 0;
                            if (px[topRight + ch] > best)
                            {
                                (best, bestIndex) = (px[topRight + ch], 1);
                            }

                            if (px[bottomLeft + ch] > best)
                            {
                                (best, bestIndex) = (px[bottomLeft + ch], 2);
                            }

                            if (px[bottomRight + ch] > best)
                            {
                                (best, bestIndex) = (px[bottomRight + ch], 3);
                            }

                            py[outBase + ch] = best;
                            pw[outBase + ch] = bestIndex;
                        }
                    }
                }
            }
        });
    }

    public unsafe void MaxPool2x2Backward(Tensor outputGradient, Tensor argmax, int batch, int height, int width, int channels, Tensor inputGradient)
    {
        var dy = Array(outputGradient);
        var winner = Array(argmax);
        var dx = Array(inputGradient);
        var (outH, outW) = (height / 2, width / 2);
        var vectorChannels = channels / 8 * 8;
        var oddEdge = height % 2 == 1 || width % 2 == 1;
        Parallel.For(0, batch, Parallelism, n =>
        {
            // Every window position is written below; only a dropped odd row or column needs clearing.
            if (oddEdge)
            {
                dx.AsSpan(n * height * width * channels, height * width * channels).Clear();
            }

            var corners = stackalloc int[4];
            fixed (float* pdy = dy, pw = winner, pdx = dx)
            {
                for (var oy = 0; oy < outH; oy++)
                {
                    for (var ox = 0; ox < outW; ox++)
                    {
                        var outBase = ((n * outH + oy) * outW + ox) * channels;
                        var topLeft = ((n * height + 2 * oy) * width + 2 * ox) * channels;
                        corners[0] = topLeft;
                        corners[1] = topLeft + channels;
                        corners[2] = topLeft + width * channels;
                        corners[3] = topLeft + (width + 1) * channels;
                        var ch = 0;
                        for (; ch < vectorChannels; ch += 8)
                        {
                            var gradient = Vector256.Load(pdy + outBase + ch);
                            var index = Vector256.Load(pw + outBase + ch);
                            for (var corner = 0; corner < 4; corner++)
                            {
                                var won = Vector256.Equals(index, Vector256.Create((float)corner));
                                Vector256.Store(Vector256.BitwiseAnd(won, gradient), pdx + corners[corner] + ch);
                            }
                        }

                        for (; ch < channels; ch++)
                        {
                            var index = (int)pw[outBase + ch];
                            for (var corner = 0; corner < 4; corner++)
                            {
                                pdx[corners[corner] + ch] = corner == index ? pdy[outBase + ch] : 0f;
                            }
                        }
                    }
                }
            }
        });
    }

    public void ChannelMeanVariance(Tensor x, Tensor mean, Tensor variance)
    {
        var data = Array(x);
        var means = Data(mean);
        var channels = means.Length;
        var layout = new ChannelTiles(Parallelism, channels, x.Length / channels);
        var sums = layout.SumChannels(data, null);
        for (var ch = 0; ch < channels; ch++)
        {
            means[ch] = (float)(sums[ch] / layout.Rows);
        }

        var squares = layout.SumChannels(data, layout.Tile(means));
        var variances = Data(variance);
        for (var ch = 0; ch < channels; ch++)
        {
            variances[ch] = (float)(squares[ch] / layout.Rows);
        }
    }

    public void InverseStandardDeviation(Tensor variance, float epsilon, Tensor result)
    {
        var source = ReadOnly(variance);
        var target = Data(result);
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = 1f / MathF.Sqrt(source[i] + epsilon);
        }
    }

    public void Lerp(Tensor target, Tensor source, float weight, float sourceScale)
    {
        var t = Data(target);
        var s = ReadOnly(source);
        for (var i = 0; i < t.Length; i++)
        {
            t[i] = (1f - weight) * t[i] + weight * sourceScale * s[i];
        }
    }

    public void BatchNormForward(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor normalized, Tensor y)
    {
        var input = Array(x);
        var xHat = Array(normalized);
        var output = Array(y);
        var channels = mean.Length;
        var layout = new ChannelTiles(Parallelism, channels, input.Length / channels);
        var meanTile = layout.Tile(Array(mean));
        var scaleTile = layout.Tile(Array(invStd));
        var gammaTile = layout.Tile(Array(gamma));
        var betaTile = layout.Tile(Array(beta));
        layout.ForEachChunk((offset, length) =>
        {
            var hat = xHat.AsSpan(offset, length);
            TensorPrimitives.Subtract(input.AsSpan(offset, length), meanTile.AsSpan(0, length), hat);
            TensorPrimitives.Multiply(hat, scaleTile.AsSpan(0, length), hat);
            TensorPrimitives.MultiplyAdd(hat, gammaTile.AsSpan(0, length), betaTile.AsSpan(0, length), output.AsSpan(offset, length));
        });
    }

    public void BatchNormBackward(Tensor dy, Tensor normalized, Tensor invStd, Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        var upstream = Array(dy);
        var xHat = Array(normalized);
        var scale = Array(invStd);
        var g = Array(gamma);
        var downstream = Array(dx);
        var channels = scale.Length;
        var layout = new ChannelTiles(Parallelism, channels, upstream.Length / channels);
        var betaSums = layout.SumChannels(upstream, null);
        var gammaSums = layout.SumProducts(upstream, xHat);
        var gradGamma = Data(dGamma);
        var gradBeta = Data(dBeta);

        // dx = gamma * invStd * (dy - mean(dy) - xHat * mean(dy * xHat))
        var coefficient = new float[channels];
        var meanBeta = new float[channels];
        var meanGamma = new float[channels];
        for (var ch = 0; ch < channels; ch++)
        {
            gradBeta[ch] = (float)betaSums[ch];
            gradGamma[ch] = (float)gammaSums[ch];
            coefficient[ch] = g[ch] * scale[ch];
            meanBeta[ch] = (float)(betaSums[ch] / layout.Rows);
            meanGamma[ch] = (float)(gammaSums[ch] / layout.Rows);
        }

        var coefficientTile = layout.Tile(coefficient);
        var meanBetaTile = layout.Tile(meanBeta);
        var meanGammaTile = layout.Tile(meanGamma);
        layout.ForEachChunk((offset, length) =>
        {
            var target = downstream.AsSpan(offset, length);
            TensorPrimitives.Multiply(xHat.AsSpan(offset, length), meanGammaTile.AsSpan(0, length), target);
            TensorPrimitives.Subtract(upstream.AsSpan(offset, length), target, target);
            TensorPrimitives.Subtract(target, meanBetaTile.AsSpan(0, length), target);
            TensorPrimitives.Multiply(target, coefficientTile.AsSpan(0, length), target);
        });
    }

    public void Softmax(Tensor logits, Tensor probabilities)
    {
        var input = Array(logits);
        var output = Array(probabilities);
        var classes = logits.Dimension(-1);
        for (var i = 0; i < input.Length / classes; i++)
        {
            TensorPrimitives.SoftMax(input.AsSpan(i * classes, classes), output.AsSpan(i * classes, classes));
        }
    }

    public float SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor logitsGradient)
    {
        var input = Array(logits);
        var probs = Array(probabilities);
        var gradient = Array(logitsGradient);
        var classes = logits.Dimension(-1);
        var rows = input.Length / classes;
        if (labels.Length != rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {rows} rows of logits.");
        }

        double loss = 0;
        for (var i = 0; i < rows; i++)
        {
            var row = input.AsSpan(i * classes, classes);
            var label = labels[i];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} is outside 0..{classes - 1}.");
            }

            // log-sum-exp around the maximum so large logits do not overflow.
            var max = TensorPrimitives.Max(row);
            double sum = 0;
            for (var j = 0; j < classes; j++)
            {
                sum += Math.Exp(row[j] - max);
            }

            var logSum = max + Math.Log(sum);
            loss += logSum - row[label];
            for (var j = 0; j < classes; j++)
            {
                var p = (float)Math.Exp(row[j] - logSum);
                probs[i * classes + j] = p;
                gradient[i * classes + j] = (p - (j == label ? 1f : 0f)) / rows;
            }
        }

        return (float)(loss / rows);
    }

    public void SgdStep(Tensor parameter, Tensor gradient, Tensor velocity, float learningRate, float momentum, float weightDecay)
    {
        var p = Data(parameter);
        var g = ReadOnly(gradient);
        var v = Data(velocity);
        for (var i = 0; i < p.Length; i++)
        {
            v[i] = momentum * v[i] + g[i] + weightDecay * p[i];
            p[i] -= learningRate * v[i];
        }
    }

    public void AdamStep(
        Tensor parameter,
        Tensor gradient,
        Tensor firstMoment,
        Tensor secondMoment,
        float learningRate,
        float beta1,
        float beta2,
        float epsilon,
        float weightDecay,
        int step)
    {
        var p = Data(parameter);
        var g = ReadOnly(gradient);
        var m = Data(firstMoment);
        var v = Data(secondMoment);
        var correction1 = 1.0 - Math.Pow(beta1, step);
        var correction2 = 1.0 - Math.Pow(beta2, step);
        var stepSize = (float)(learningRate / correction1);
        var secondCorrection = (float)(1.0 / correction2);
        for (var i = 0; i < p.Length; i++)
        {
            m[i] = beta1 * m[i] + (1f - beta1) * g[i];
            v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
            p[i] -= learningRate * weightDecay * p[i];
            p[i] -= stepSize * m[i] / (MathF.Sqrt(v[i] * secondCorrection) + epsilon);
        }
    }

    public void Dispose()
    {
    }

    internal static float[] Array(Tensor tensor) => tensor.Buffer is CpuBuffer buffer
        ? buffer.Data
        : throw new ArgumentException($"{tensor} does not live on the CPU backend.");

    private static Span<float> Data(Tensor tensor) => Array(tensor);

    private static ReadOnlySpan<float> ReadOnly(Tensor tensor) => Array(tensor);

    private static void RequireLength(Tensor tensor, int length)
    {
        if (tensor.Length != length)
        {
            throw new ArgumentException($"{tensor} holds {tensor.Length} elements, not {length}.");
        }
    }

    /// <summary>Runs body over row ranges, in parallel when the matrix is large enough to pay for it.</summary>
    private void ForRows(int rows, int cols, Action<int, int> body)
    {
        if ((long)rows * cols < ParallelThreshold)
        {
            body(0, rows);
            return;
        }

        var chunk = Math.Max(1, ParallelThreshold / 4 / Math.Max(1, cols));
        var chunks = (rows + chunk - 1) / chunk;
        Parallel.For(0, chunks, Parallelism, index => body(index * chunk, Math.Min(rows, (index + 1) * chunk)));
    }
}
