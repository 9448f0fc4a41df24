namespace Challenge.Ml.Training;

public enum OptimizerKind
{
    Sgd,
    Adam,
}
