using System.Diagnostics;
using Challenge.Ml.Backends;
using Challenge.Ml.Models;

namespace Challenge.Ml.Bench;

/// <summary>Milliseconds per batch of each CNN layer's forward and backward pass.</summary>
internal static class LayerProfile
{
    public static void Run(IBackend backend, int batchSize = 64, int repeats = 30)
    {
        var random = new Random(1);
        using var network = Architectures.SmallCnn(backend, 28, 28, 1, 10, random);
        var input = backend.Allocate(batchSize, 28, 28, 1);
        backend.CopyFromHost(Enumerable.Range(0, input.Length).Select(_ => random.NextSingle()).ToArray(), input);
        var layers = network.Layers;
        var forward = new double[layers.Count];
        var backward = new double[layers.Count];
        for (var r = -3; r < repeats; r++)
        {
            var activation = input;
            for (var i = 0; i < layers.Count; i++)
            {
                var clock = Stopwatch.StartNew();
                activation = layers[i].Forward(activation, training: true);
                forward[i] += r >= 0 ? clock.Elapsed.TotalMilliseconds : 0;
            }

            var gradient = backend.Allocate(activation.Shape.ToArray());
            backend.Fill(gradient, 0.01f);
            for (var i = layers.Count - 1; i >= 0; i--)
            {
                var clock = Stopwatch.StartNew();
                gradient = layers[i].Backward(gradient);
                backward[i] += r >= 0 ? clock.Elapsed.TotalMilliseconds : 0;
            }
        }

        for (var i = 0; i < layers.Count; i++)
        {
            Console.WriteLine($"PROFILE {i,2} {layers[i].GetType().Name,-12} forward {forward[i] / repeats,7:0.00} ms  backward {backward[i] / repeats,7:0.00} ms");
        }

        Console.WriteLine($"PROFILE total per batch of {batchSize}: {(forward.Sum() + backward.Sum()) / repeats:0.0} ms");
    }
}
