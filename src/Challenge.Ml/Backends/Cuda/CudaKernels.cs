namespace Challenge.Ml.Backends.Cuda;

/// <summary>
/// CUDA C source of the element-wise, reduction and layout kernels, compiled with NVRTC at
/// first use. Every reduction sums in a fixed order (no atomics), so GPU runs are repeatable too.
/// </summary>
internal static class CudaKernels
{
    public const int ReductionThreads = 256;

    /// <summary>The name NVRTC's messages give the source.</summary>
    public const string FileName = "challenge_kernels.cu";

    public static readonly string[] Names =
    [
        "fill", "multiply", "axpy", "add_row_vector", "sum_rows", "block_sum", "relu", "relu_backward",
        "im2col", "col2im", "maxpool", "maxpool_backward", "channel_mean_var", "inverse_std", "lerp",
        "bn_forward", "bn_reduce", "bn_backward", "softmax_rows", "softmax_xent", "sgd_step", "adam_step",
    ];

    public const string Source = """
        #define THREADS 256
        __device__ float block_reduce(float value, float* shared)
        {
            shared[threadIdx.x] = value;
            __syncthreads();
            for (int stride = THREADS / 2; stride > 0; stride >>= 1)
            {
                if (threadIdx.x < stride) shared[threadIdx.x] += shared[threadIdx.x + stride];
                __syncthreads();
            }
            float result = shared[0];
            __syncthreads();
            return result;
        }

        extern "C" {
        __global__ void fill(float* x, float value, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) x[i] = value;
        }

        __global__ void multiply(const float* a, const float* b, float* result, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) result[i] = a[i] * b[i];
        }

        __global__ void axpy(float alpha, const float* x, float* y, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) y[i] += alpha * x[i];
        }

        __global__ void add_row_vector(float* matrix, const float* vector, int n, int cols)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) matrix[i] += vector[i % cols];
        }

        // One block per column.
        __global__ void sum_rows(const float* matrix, float* result, int rows, int cols)
        {
            __shared__ float shared[THREADS];
            int col = blockIdx.x;
            float sum = 0.0f;
            for (int row = threadIdx.x; row < rows; row += THREADS) sum += matrix[(size_t)row * cols + col];
            sum = block_reduce(sum, shared);
            if (threadIdx.x == 0) result[col] = sum;
        }

        // Partial sums, one per block; the host adds them up.
        __global__ void block_sum(const float* x, float* partial, int n)
        {
            __shared__ float shared[THREADS];
            float sum = 0.0f;
            for (int i = blockIdx.x * THREADS + threadIdx.x; i < n; i += gridDim.x * THREADS) sum += x[i];
            sum = block_reduce(sum, shared);
            if (threadIdx.x == 0) partial[blockIdx.x] = sum;
        }

        __global__ void relu(const float* x, float* y, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        }

        __global__ void relu_backward(const float* x, const float* dy, float* dx, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
        }

        // One thread per element of the [batch*oh*ow, k*k*c] column matrix (NHWC input).
        __global__ void im2col(const float* image, float* columns, int batch, int h, int w, int c,
                               int k, int stride, int pad, int oh, int ow)
        {
            long long total = (long long)batch * oh * ow * k * k * c;
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= total) return;
            int width = k * k * c;
            long long row = idx / width;
            int col = (int)(idx % width);
            int ch = col % c;
            int tap = col / c;
            int kx = tap % k, ky = tap / k;
            int ox = (int)(row % ow);
            long long rest = row / ow;
            int oy = (int)(rest % oh);
            int n = (int)(rest / oh);
            int y = oy * stride - pad + ky, x = ox * stride - pad + kx;
            columns[idx] = (y >= 0 && y < h && x >= 0 && x < w) ? image[(((long long)n * h + y) * w + x) * c + ch] : 0.0f;
        }

        // One thread per image element: gathers every column entry that came from it.
        __global__ void col2im(const float* columns, float* image, int batch, int h, int w, int c,
                               int k, int stride, int pad, int oh, int ow)
        {
            long long total = (long long)batch * h * w * c;
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= total) return;
            int ch = (int)(idx % c);
            long long rest = idx / c;
            int x = (int)(rest % w); rest /= w;
            int y = (int)(rest % h);
            int n = (int)(rest / h);
            int width = k * k * c;
            float sum = 0.0f;
            for (int ky = 0; ky < k; ky++)
            {
                int oyStride = y + pad - ky;
                if (oyStride < 0 || oyStride % stride != 0) continue;
                int oy = oyStride / stride;
                if (oy >= oh) continue;
                for (int kx = 0; kx < k; kx++)
                {
                    int oxStride = x + pad - kx;
                    if (oxStride < 0 || oxStride % stride != 0) continue;
                    int ox = oxStride / stride;
                    if (ox >= ow) continue;
                    sum += columns[(((long long)n * oh + oy) * ow + ox) * width + (ky * k + kx) * c + ch];
                }
            }
            image[idx] = sum;
        }

        __global__ void maxpool(const float* x, float* y, float* argmax, int batch, int h, int w, int c)
        {
            int oh = h / 2, ow = w / 2;
            long long total = (long long)batch * oh * ow * c;
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= total) return;
            int ch = (int)(idx % c);
            long long rest = idx / c;
            int ox = (int)(rest % ow); rest /= ow;
            int oy = (int)(rest % oh);
            int n = (int)(rest / oh);
            long long topLeft = (((long long)n * h + 2 * oy) * w + 2 * ox) * c + ch;
            float candidates[4] = { x[topLeft], x[topLeft + c], x[topLeft + (long long)w * c], x[topLeft + (long long)(w + 1) * c] };
            float best = candidates[0];
            int bestIndex = 0;
            for (int i = 1; i < 4; i++) if (candidates[i] > best) { best = candidates[i]; bestIndex = i; }
            y[idx] = best;
            argmax[idx] = (float)bestIndex;
        }

        __global__ void maxpool_backward(const float* dy, const float* argmax, float* dx, int batch, int h, int w, int c)
        {
            int oh = h / 2, ow = w / 2;
            long long total = (long long)batch * h * w * c;
            long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (idx >= total) return;
            int ch = (int)(idx % c);
            long long rest = idx / c;
            int x = (int)(rest % w); rest /= w;
            int y = (int)(rest % h);
            int n = (int)(rest / h);
            int oy = y / 2, ox = x / 2;
            float value = 0.0f;
            if (oy < oh && ox < ow)
            {
                long long out = (((long long)n * oh + oy) * ow + ox) * c + ch;
                if ((int)argmax[out] == (y & 1) * 2 + (x & 1)) value = dy[out];
            }
            dx[idx] = value;
        }

        // One block per channel of a [rows, channels] matrix.
        __global__ void channel_mean_var(const float* x, float* mean, float* variance, int rows, int channels)
        {
            __shared__ float shared[THREADS];
            int ch = blockIdx.x;
            float sum = 0.0f;
            for (int row = threadIdx.x; row < rows; row += THREADS) sum += x[(size_t)row * channels + ch];
            float mu = block_reduce(sum, shared) / rows;
            float squares = 0.0f;
            for (int row = threadIdx.x; row < rows; row += THREADS)
            {
                float d = x[(size_t)row * channels + ch] - mu;
                squares += d * d;
            }
            float var = block_reduce(squares, shared) / rows;
            if (threadIdx.x == 0) { mean[ch] = mu; variance[ch] = var; }
        }

        __global__ void inverse_std(const float* variance, float epsilon, float* result, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) result[i] = rsqrtf(variance[i] + epsilon);
        }

        __global__ void lerp(float* target, const float* source, float weight, float scale, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) target[i] = (1.0f - weight) * target[i] + weight * scale * source[i];
        }

        __global__ void bn_forward(const float* x, const float* mean, const float* invStd, const float* gamma,
                                   const float* beta, float* normalized, float* y, int n, int channels)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= n) return;
            int ch = i % channels;
            float hat = (x[i] - mean[ch]) * invStd[ch];
            normalized[i] = hat;
            y[i] = hat * gamma[ch] + beta[ch];
        }

        // One block per channel: dBeta = sum(dy), dGamma = sum(dy * normalized).
        __global__ void bn_reduce(const float* dy, const float* normalized, float* dGamma, float* dBeta, int rows, int channels)
        {
            __shared__ float shared[THREADS];
            int ch = blockIdx.x;
            float sumDy = 0.0f, sumDyHat = 0.0f;
            for (int row = threadIdx.x; row < rows; row += THREADS)
            {
                size_t i = (size_t)row * channels + ch;
                sumDy += dy[i];
                sumDyHat += dy[i] * normalized[i];
            }
            sumDy = block_reduce(sumDy, shared);
            sumDyHat = block_reduce(sumDyHat, shared);
            if (threadIdx.x == 0) { dBeta[ch] = sumDy; dGamma[ch] = sumDyHat; }
        }

        __global__ void bn_backward(const float* dy, const float* normalized, const float* invStd, const float* gamma,
                                    const float* dGamma, const float* dBeta, float* dx, int n, int channels, int rows)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= n) return;
            int ch = i % channels;
            dx[i] = gamma[ch] * invStd[ch] * (dy[i] - dBeta[ch] / rows - normalized[i] * dGamma[ch] / rows);
        }

        __global__ void softmax_rows(const float* logits, float* probabilities, int rows, int classes)
        {
            int row = blockIdx.x * blockDim.x + threadIdx.x;
            if (row >= rows) return;
            const float* in = logits + (size_t)row * classes;
            float* out = probabilities + (size_t)row * classes;
            float max = in[0];
            for (int j = 1; j < classes; j++) max = fmaxf(max, in[j]);
            float sum = 0.0f;
            for (int j = 0; j < classes; j++) sum += expf(in[j] - max);
            for (int j = 0; j < classes; j++) out[j] = expf(in[j] - max) / sum;
        }

        __global__ void softmax_xent(const float* logits, const int* labels, float* probabilities, float* gradient,
                                     float* rowLoss, int rows, int classes)
        {
            int row = blockIdx.x * blockDim.x + threadIdx.x;
            if (row >= rows) return;
            const float* in = logits + (size_t)row * classes;
            float max = in[0];
            for (int j = 1; j < classes; j++) max = fmaxf(max, in[j]);
            float sum = 0.0f;
            for (int j = 0; j < classes; j++) sum += expf(in[j] - max);
            float logSum = max + logf(sum);
            int label = labels[row];
            rowLoss[row] = logSum - in[label];
            for (int j = 0; j < classes; j++)
            {
                float p = expf(in[j] - logSum);
                probabilities[(size_t)row * classes + j] = p;
                gradient[(size_t)row * classes + j] = (p - (j == label ? 1.0f : 0.0f)) / rows;
            }
        }

        __global__ void sgd_step(float* p, const float* g, float* v, float lr, float momentum, float decay, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= n) return;
            v[i] = momentum * v[i] + g[i] + decay * p[i];
            p[i] -= lr * v[i];
        }

        __global__ void adam_step(float* p, const float* g, float* m, float* v, float lr, float beta1, float beta2,
                                  float epsilon, float decay, float stepSize, float secondCorrection, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= n) return;
            m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
            v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
            p[i] -= lr * decay * p[i];
            p[i] -= stepSize * m[i] / (sqrtf(v[i] * secondCorrection) + epsilon);
        }
        }
        """;
}
