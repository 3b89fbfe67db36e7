namespace WeComSync.Apply
{
    /// <summary>The <see cref="IOutputWriter"/> a <see cref="PlanApplier"/> runs with (the name the appliers' hosts were written against).</summary>
    public interface ISyncHost : IOutputWriter
    {
    }
}
