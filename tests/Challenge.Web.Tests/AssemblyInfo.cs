// Each test class starts real servers (and the browser tests a real Chromium); on a two-core
// machine running them one at a time keeps timings far from every timeout.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
