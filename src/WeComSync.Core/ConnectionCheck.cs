namespace WeComSync
{
    /// <summary>
    /// One check of Test-AuthingConnection or Test-WeComConnection: what was tried, whether it worked, the API's code
    /// when not, why, and what to do. Both services' checks have this one shape, so they read (and script) alike.
    /// </summary>
    public abstract class ConnectionCheck
    {
        public string Check { get; set; }
        public bool Passed { get; set; }
        public string Message { get; set; }
        public string RecommendedAction { get; set; }

        /// <summary>The API's code when the check failed (WeCom errcode, Authing statusCode/apiCode).</summary>
        public string Code { get; set; }

        public override string ToString() => $"{Check}: {(Passed ? "passed" : "failed" + (string.IsNullOrEmpty(Code) ? "" : " " + Code))}";
    }
}
