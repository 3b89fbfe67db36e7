using System;

namespace WeComSync.Http
{
    /// <summary>A client whose calls can be traced (one redacted line per call and retry), so a cmdlet can show them with -Debug/-Verbose.</summary>
    public interface ITraceable
    {
        Action<string> Trace { get; set; }
    }
}
