namespace Challenge.Scoring;

/// <summary>
/// A tree over the task's classes and their inner taxa (genus, family...), from the parent the
/// task declares for each name. Every class knows its path from the root, so hierarchical
/// metrics can compare two classes by what their paths share.
/// </summary>
public sealed class Taxonomy
{
    private Taxonomy(int[][] paths) => Paths = paths;

    /// <summary>For each class, the node ids from its root down to the class itself.</summary>
    public int[][] Paths { get; }

    /// <summary>Builds the tree, or returns why the declared parents do not form one (a cycle).</summary>
    public static Taxonomy? Build(IReadOnlyList<string> classes, IReadOnlyDictionary<string, string> parents, out string? problem)
    {
        problem = null;
        var nodeIds = new Dictionary<string, int>(StringComparer.Ordinal);
        int NodeOf(string name)
        {
            if (!nodeIds.TryGetValue(name, out int id))
            {
                id = nodeIds.Count;
                nodeIds[name] = id;
            }
            return id;
        }

        var paths = new int[classes.Count][];
        for (int k = 0; k < classes.Count; k++)
        {
            var path = new List<int>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? name = classes[k];
            while (name is not null)
            {
                if (!seen.Add(name))
                {
                    problem = $"The class parents form a cycle through '{name}'; each name's chain of parents must end at a root.";
                    return null;
                }
                path.Add(NodeOf(name));
                name = parents.TryGetValue(name, out var parent) && !string.IsNullOrWhiteSpace(parent) ? parent : null;
            }
            path.Reverse();
            paths[k] = path.ToArray();
        }
        return new Taxonomy(paths);
    }

    /// <summary>Nodes on both paths: the shared part from the root down (paths of one tree share a prefix).</summary>
    public int SharedAncestors(int classA, int classB)
    {
        var a = Paths[classA];
        var b = Paths[classB];
        int shared = 0;
        while (shared < a.Length && shared < b.Length && a[shared] == b[shared])
        {
            shared++;
        }
        return shared;
    }

    /// <summary>The class's ancestor at <paramref name="depth"/> (1 = root), or the class itself when it is shallower.</summary>
    public int NodeAtDepth(int classIndex, int depth)
    {
        var path = Paths[classIndex];
        return path[Math.Min(depth, path.Length) - 1];
    }
}
