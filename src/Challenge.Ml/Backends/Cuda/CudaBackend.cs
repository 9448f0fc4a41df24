using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Challenge.Ml.Tensors;

namespace Challenge.Ml.Backends.Cuda;

/// <summary>
/// GPU backend on NVIDIA's own libraries: the driver API for memory and kernel launches, cuBLAS
/// for matrix products and NVRTC for the other kernels (compiled once per process and GPU
/// architecture). Row-major products are computed as the transposed column-major ones cuBLAS
/// expects. Labels are the only host data that crosses per batch, besides the images.
/// </summary>
public sealed unsafe class CudaBackend : IBackend
{
    private const uint Threads = CudaKernels.ReductionThreads;
    private const int SumBlocks = 256;
    private const int CublasNoTranspose = 0;
    private const int CublasTranspose = 1;
    private const int ComputeCapabilityMajor = 75;
    private const int ComputeCapabilityMinor = 76;

    private static readonly ConcurrentDictionary<string, byte[]> PtxCache = new();

    private readonly CudaApi _api;
    private readonly int _device;
    private readonly IntPtr _context;
    private readonly IntPtr _cublas;
    private readonly IntPtr _module;
    private readonly Dictionary<string, IntPtr> _functions = new(StringComparer.Ordinal);
    private ulong _labels;
    private int _labelCapacity;
    private ulong _scratch;
    private int _scratchCapacity;
    private bool _disposed;

    private CudaBackend(CudaApi api, int device)
    {
        _api = api;
        _device = device;
        IntPtr context;
        api.Check(api.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
        _context = context;
        MakeCurrent();

        var name = stackalloc byte[256];
        api.Check(api.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        int major, minor;
        api.Check(api.cuDeviceGetAttribute(&major, ComputeCapabilityMajor, device), "cuDeviceGetAttribute");
        api.Check(api.cuDeviceGetAttribute(&minor, ComputeCapabilityMinor, device), "cuDeviceGetAttribute");
        Name = $"cuda:{device} ({CudaApi.Utf8(new ReadOnlySpan<byte>(name, 256))}, sm_{major}{minor})";

        IntPtr cublas;
        CudaApi.CheckCublas(api.cublasCreate(&cublas), "cublasCreate");
        _cublas = cublas;

        var ptx = PtxCache.GetOrAdd($"compute_{major}{minor}", Compile);
        IntPtr module;
        fixed (byte* image = ptx)
        {
            api.Check(api.cuModuleLoadData(&module, image), "cuModuleLoadData");
        }

        _module = module;
        foreach (var kernel in CudaKernels.Names)
        {
            var kernelName = Encoding.ASCII.GetBytes(kernel + "\0");
            IntPtr function;
            fixed (byte* text = kernelName)
            {
                api.Check(api.cuModuleGetFunction(&function, module, text), $"cuModuleGetFunction({kernel})");
            }

            _functions[kernel] = function;
        }
    }

    public string Name { get; }

    public DeviceKind Kind => DeviceKind.Cuda;

    /// <summary>
    /// Opens the first GPU, or says why it cannot: no driver, no device, missing cuBLAS or NVRTC,
    /// or a failure while compiling the kernels.
    /// </summary>
    public static bool TryCreate(string driverLibrary, out CudaBackend? backend, out string reason)
    {
        backend = null;
        if (!CudaApi.TryLoad(driverLibrary, out var api, out reason))
        {
            return false;
        }

        try
        {
            var result = api!.cuInit(0);
            if (result != 0)
            {
                reason = $"the CUDA driver did not initialise (error {result}); is a GPU visible to this process?";
                return false;
            }

            int count;
            api.Check(api.cuDeviceGetCount(&count), "cuDeviceGetCount");
            if (count == 0)
            {
                reason = "the CUDA driver reports no GPU";
                return false;
            }

            int device;
            api.Check(api.cuDeviceGet(&device, 0), "cuDeviceGet");
            backend = new CudaBackend(api, device);
            return true;
        }
        catch (CudaException exception)
        {
            reason = exception.Message;
            return false;
        }
    }

    public Tensor Allocate(params int[] shape)
    {
        var length = Tensor.ElementCount(shape);
        var tensor = new Tensor(this, new CudaBuffer(this, AllocateRaw(length), length), shape);
        Fill(tensor, 0f);
        return tensor;
    }

    public void CopyFromHost(ReadOnlySpan<float> source, Tensor destination)
    {
        RequireLength(destination, source.Length);
        MakeCurrent();
        fixed (float* data = source)
        {
            _api.Check(_api.cuMemcpyHtoD(Ptr(destination), data, (nuint)(source.Length * sizeof(float))), "cuMemcpyHtoD");
        }
    }

    public void CopyToHost(Tensor source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"{source} does not fit in {destination.Length} host elements.");
        }

        MakeCurrent();
        fixed (float* data = destination)
        {
            _api.Check(_api.cuMemcpyDtoH(data, Ptr(source), (nuint)(source.Length * sizeof(float))), "cuMemcpyDtoH");
        }
    }

    public void Fill(Tensor tensor, float value)
    {
        MakeCurrent();
        _api.Check(_api.cuMemsetD32(Ptr(tensor), BitConverter.SingleToUInt32Bits(value), (nuint)tensor.Length), "cuMemsetD32");
    }

    public void Copy(Tensor source, Tensor destination)
    {
        RequireLength(destination, source.Length);
        MakeCurrent();
        _api.Check(_api.cuMemcpyDtoD(Ptr(destination), Ptr(source), (nuint)(source.Length * sizeof(float))), "cuMemcpyDtoD");
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        MakeCurrent();

        // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
        var lda = transposeA ? m : k;
        var ldb = transposeB ? k : n;
        CudaApi.CheckCublas(
            _api.cublasSgemm(
                _cublas,
                transposeB ? CublasTranspose : CublasNoTranspose,
                transposeA ? CublasTranspose : CublasNoTranspose,
                n,
                m,
                k,
                &alpha,
                Ptr(b),
                ldb,
                Ptr(a),
                lda,
                &beta,
                Ptr(c),
                n),
            "cublasSgemm");
    }

    public void Multiply(Tensor a, Tensor b, Tensor result)
    {
        var (pa, pb, pr, n) = (Ptr(a), Ptr(b), Ptr(result), result.Length);
        Launch("multiply", n, [(nint)(&pa), (nint)(&pb), (nint)(&pr), (nint)(&n)]);
    }

    public void Axpy(float alpha, Tensor x, Tensor y)
    {
        var (px, py, n) = (Ptr(x), Ptr(y), y.Length);
        Launch("axpy", n, [(nint)(&alpha), (nint)(&px), (nint)(&py), (nint)(&n)]);
    }

    public void AddRowVector(Tensor matrix, Tensor vector)
    {
        var (pm, pv, n, cols) = (Ptr(matrix), Ptr(vector), matrix.Length, vector.Length);
        Launch("add_row_vector", n, [(nint)(&pm), (nint)(&pv), (nint)(&n), (nint)(&cols)]);
    }

    public void SumRows(Tensor matrix, Tensor result)
    {
        var (pm, pr, cols) = (Ptr(matrix), Ptr(result), result.Length);
        var rows = matrix.Length / cols;
        LaunchBlocks("sum_rows", (uint)cols, [(nint)(&pm), (nint)(&pr), (nint)(&rows), (nint)(&cols)]);
    }

    public float Sum(Tensor x)
    {
        var partial = Scratch(SumBlocks);
        var (px, n) = (Ptr(x), x.Length);
        LaunchBlocks("block_sum", SumBlocks, [(nint)(&px), (nint)(&partial), (nint)(&n)]);
        var sums = new float[SumBlocks];
        fixed (float* host = sums)
        {
            _api.Check(_api.cuMemcpyDtoH(host, partial, SumBlocks * sizeof(float)), "cuMemcpyDtoH");
        }

        return (float)sums.Sum(v => (double)v);
    }

    public void Relu(Tensor x, Tensor y)
    {
        var (px, py, n) = (Ptr(x), Ptr(y), x.Length);
        Launch("relu", n, [(nint)(&px), (nint)(&py), (nint)(&n)]);
    }

    public void ReluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        var (px, pdy, pdx, n) = (Ptr(x), Ptr(dy), Ptr(dx), x.Length);
        Launch("relu_backward", n, [(nint)(&px), (nint)(&pdy), (nint)(&pdx), (nint)(&n)]);
    }

    public void Im2Col(Tensor input, ConvGeometry geometry, Tensor columns)
    {
        var (pi, pc) = (Ptr(input), Ptr(columns));
        var g = geometry;
        var (batch, h, w, c, k, stride, pad, oh, ow) = (g.BatchSize, g.Height, g.Width, g.Channels, g.KernelSize, g.Stride, g.Padding, g.OutputHeight, g.OutputWidth);
        Launch("im2col", columns.Length, [(nint)(&pi), (nint)(&pc), (nint)(&batch), (nint)(&h), (nint)(&w), (nint)(&c), (nint)(&k), (nint)(&stride), (nint)(&pad), (nint)(&oh), (nint)(&ow)]);
    }

    public void Col2Im(Tensor columns, ConvGeometry geometry, Tensor inputGradient)
    {
        var (pc, pi) = (Ptr(columns), Ptr(inputGradient));
        var g = geometry;
        var (batch, h, w, c, k, stride, pad, oh, ow) = (g.BatchSize, g.Height, g.Width, g.Channels, g.KernelSize, g.Stride, g.Padding, g.OutputHeight, g.OutputWidth);
        Launch("col2im", inputGradient.Length, [(nint)(&pc), (nint)(&pi), (nint)(&batch), (nint)(&h), (nint)(&w), (nint)(&c), (nint)(&k), (nint)(&stride), (nint)(&pad), (nint)(&oh), (nint)(&ow)]);
    }

    public void MaxPool2x2(Tensor input, int batch, int height, int width, int channels, Tensor output, Tensor argmax)
    {
        var (px, py, pa) = (Ptr(input), Ptr(output), Ptr(argmax));
        Launch("maxpool", output.Length, [(nint)(&px), (nint)(&py), (nint)(&pa), (nint)(&batch), (nint)(&height), (nint)(&width), (nint)(&channels)]);
    }

    public void MaxPool2x2Backward(Tensor outputGradient, Tensor argmax, int batch, int height, int width, int channels, Tensor inputGradient)
    {
        var (pdy, pa, pdx) = (Ptr(outputGradient), Ptr(argmax), Ptr(inputGradient));
        Launch("maxpool_backward", inputGradient.Length, [(nint)(&pdy), (nint)(&pa), (nint)(&pdx), (nint)(&batch), (nint)(&height), (nint)(&width), (nint)(&channels)]);
    }

    public void ChannelMeanVariance(Tensor x, Tensor mean, Tensor variance)
    {
        var (px, pm, pv, channels) = (Ptr(x), Ptr(mean), Ptr(variance), mean.Length);
        var rows = x.Length / channels;
        LaunchBlocks("channel_mean_var", (uint)channels, [(nint)(&px), (nint)(&pm), (nint)(&pv), (nint)(&rows), (nint)(&channels)]);
    }

    public void InverseStandardDeviation(Tensor variance, float epsilon, Tensor result)
    {
        var (pv, pr, n) = (Ptr(variance), Ptr(result), result.Length);
        Launch("inverse_std", n, [(nint)(&pv), (nint)(&epsilon), (nint)(&pr), (nint)(&n)]);
    }

    public void Lerp(Tensor target, Tensor source, float weight, float sourceScale)
    {
        var (pt, ps, n) = (Ptr(target), Ptr(source), target.Length);
        Launch("lerp", n, [(nint)(&pt), (nint)(&ps), (nint)(&weight), (nint)(&sourceScale), (nint)(&n)]);
    }

    public void BatchNormForward(Tensor x, Tensor mean, Tensor invStd, Tensor gamma, Tensor beta, Tensor normalized, Tensor y)
    {
        var (px, pm, ps, pg, pb, ph, py) = (Ptr(x), Ptr(mean), Ptr(invStd), Ptr(gamma), Ptr(beta), Ptr(normalized), Ptr(y));
        var (n, channels) = (x.Length, mean.Length);
        Launch("bn_forward", n, [(nint)(&px), (nint)(&pm), (nint)(&ps), (nint)(&pg), (nint)(&pb), (nint)(&ph), (nint)(&py), (nint)(&n), (nint)(&channels)]);
    }

    public void BatchNormBackward(Tensor dy, Tensor normalized, Tensor invStd, Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        var (pdy, ph, ps, pg, pdx, pdg, pdb) = (Ptr(dy), Ptr(normalized), Ptr(invStd), Ptr(gamma), Ptr(dx), Ptr(dGamma), Ptr(dBeta));
        var (n, channels) = (dy.Length, invStd.Length);
        var rows = n / channels;
        LaunchBlocks("bn_reduce", (uint)channels, [(nint)(&pdy), (nint)(&ph), (nint)(&pdg), (nint)(&pdb), (nint)(&rows), (nint)(&channels)]);
        Launch("bn_backward", n, [(nint)(&pdy), (nint)(&ph), (nint)(&ps), (nint)(&pg), (nint)(&pdg), (nint)(&pdb), (nint)(&pdx), (nint)(&n), (nint)(&channels), (nint)(&rows)]);
    }

    public void Softmax(Tensor logits, Tensor probabilities)
    {
        var classes = logits.Dimension(-1);
        var rows = logits.Length / classes;
        var (pl, pp) = (Ptr(logits), Ptr(probabilities));
        Launch("softmax_rows", rows, [(nint)(&pl), (nint)(&pp), (nint)(&rows), (nint)(&classes)]);
    }

    public float SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor logitsGradient)
    {
        var classes = logits.Dimension(-1);
        var rows = logits.Length / classes;
        if (labels.Length != rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {rows} rows of logits.");
        }

        foreach (var label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} is outside 0..{classes - 1}.");
            }
        }

        var deviceLabels = Labels(labels);
        var rowLoss = Scratch(rows);
        var (pl, pp, pg) = (Ptr(logits), Ptr(probabilities), Ptr(logitsGradient));
        Launch("softmax_xent", rows, [(nint)(&pl), (nint)(&deviceLabels), (nint)(&pp), (nint)(&pg), (nint)(&rowLoss), (nint)(&rows), (nint)(&classes)]);
        var losses = new float[rows];
        fixed (float* host = losses)
        {
            _api.Check(_api.cuMemcpyDtoH(host, rowLoss, (nuint)(rows * sizeof(float))), "cuMemcpyDtoH");
        }

        return (float)(losses.Sum(v => (double)v) / rows);
    }

    public void SgdStep(Tensor parameter, Tensor gradient, Tensor velocity, float learningRate, float momentum, float weightDecay)
    {
        var (pp, pg, pv, n) = (Ptr(parameter), Ptr(gradient), Ptr(velocity), parameter.Length);
        Launch("sgd_step", n, [(nint)(&pp), (nint)(&pg), (nint)(&pv), (nint)(&learningRate), (nint)(&momentum), (nint)(&weightDecay), (nint)(&n)]);
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
        var (pp, pg, pm, pv, n) = (Ptr(parameter), Ptr(gradient), Ptr(firstMoment), Ptr(secondMoment), parameter.Length);
        var stepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, step)));
        var secondCorrection = (float)(1.0 / (1.0 - Math.Pow(beta2, step)));
        Launch("adam_step", n, [(nint)(&pp), (nint)(&pg), (nint)(&pm), (nint)(&pv), (nint)(&learningRate), (nint)(&beta1), (nint)(&beta2), (nint)(&epsilon), (nint)(&weightDecay), (nint)(&stepSize), (nint)(&secondCorrection), (nint)(&n)]);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        MakeCurrent();
        if (_labels != 0)
        {
            Free(_labels);
        }

        if (_scratch != 0)
        {
            Free(_scratch);
        }

        _api.cuModuleUnload(_module);
        _api.cublasDestroy(_cublas);
        _api.cuDevicePrimaryCtxRelease(_device);
    }

    internal void Free(ulong pointer)
    {
        if (!_disposed || pointer == _labels || pointer == _scratch)
        {
            MakeCurrent();
            _api.cuMemFree(pointer);
        }
    }

    private static ulong Ptr(Tensor tensor) => tensor.Buffer is CudaBuffer buffer
        ? buffer.Pointer
        : throw new ArgumentException($"{tensor} does not live on the CUDA backend.");

    private static void RequireLength(Tensor tensor, int length)
    {
        if (tensor.Length != length)
        {
            throw new ArgumentException($"{tensor} holds {tensor.Length} elements, not {length}.");
        }
    }

    private byte[] Compile(string architecture) => _api.Nvrtc.CompileToPtx(CudaKernels.Source, CudaKernels.FileName, architecture);

    private void MakeCurrent() => _api.Check(_api.cuCtxSetCurrent(_context), "cuCtxSetCurrent");

    private ulong AllocateRaw(int length)
    {
        MakeCurrent();
        ulong pointer;
        _api.Check(_api.cuMemAlloc(&pointer, (nuint)Math.Max(1, length) * sizeof(float)), "cuMemAlloc");
        return pointer;
    }

    /// <summary>A reusable device buffer of at least <paramref name="length"/> floats for per-call results.</summary>
    private ulong Scratch(int length)
    {
        if (length > _scratchCapacity)
        {
            if (_scratch != 0)
            {
                Free(_scratch);
            }

            _scratch = AllocateRaw(length);
            _scratchCapacity = length;
        }

        return _scratch;
    }

    private ulong Labels(ReadOnlySpan<int> labels)
    {
        if (labels.Length > _labelCapacity)
        {
            if (_labels != 0)
            {
                Free(_labels);
            }

            _labels = AllocateRaw(labels.Length);
            _labelCapacity = labels.Length;
        }

        fixed (int* data = labels)
        {
            _api.Check(_api.cuMemcpyHtoD(_labels, data, (nuint)(labels.Length * sizeof(int))), "cuMemcpyHtoD");
        }

        return _labels;
    }

    /// <summary>One thread per element, in blocks of 256.</summary>
    private void Launch(string kernel, int elements, ReadOnlySpan<IntPtr> arguments)
    {
        if (elements > 0)
        {
            LaunchGrid(kernel, (uint)((elements + Threads - 1) / Threads), arguments);
        }
    }

    /// <summary>A fixed number of 256-thread blocks, for the block-per-channel reductions.</summary>
    private void LaunchBlocks(string kernel, uint blocks, ReadOnlySpan<IntPtr> arguments)
    {
        if (blocks > 0)
        {
            LaunchGrid(kernel, blocks, arguments);
        }
    }

    private void LaunchGrid(string kernel, uint blocks, ReadOnlySpan<IntPtr> arguments)
    {
        MakeCurrent();
        var pointers = stackalloc void*[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            pointers[i] = (void*)arguments[i];
        }

        _api.Check(
            _api.cuLaunchKernel(_functions[kernel], blocks, 1, 1, Threads, 1, 1, 0, IntPtr.Zero, pointers, null),
            $"cuLaunchKernel({kernel})");
    }
}
