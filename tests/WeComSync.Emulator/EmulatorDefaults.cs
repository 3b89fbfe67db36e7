namespace WeComSync.Emulator;

/// <summary>
/// The credentials and names an emulator started without a seed accepts, so the demo, the docs and any test can
/// connect without setup. Everything else is set through the control endpoints (<c>/_emulator/...</c>).
/// </summary>
public static class EmulatorDefaults
{
    /// <summary>WeCom corp id accepted by <c>/cgi-bin/gettoken</c>.</summary>
    public const string CorpId = "ww-emulator";

    /// <summary>WeCom address-book sync secret (full access, old IP).</summary>
    public const string CorpSecret = "emulator-secret";

    /// <summary>Name of WeCom's root department (id 1).</summary>
    public const string RootDepartmentName = "示例科技";

    /// <summary>Authing user pool id (the <c>scoped_userpool_id</c> claim and the <c>x-authing-userpool-id</c> header).</summary>
    public const string UserPoolId = "emulator-pool";

    /// <summary>Authing organization code of the default organization (root department only).</summary>
    public const string OrganizationCode = "emulator-org";

    /// <summary>Authing management access key id.</summary>
    public const string AccessKeyId = "emulator-ak";

    /// <summary>Authing management access key secret.</summary>
    public const string AccessKeySecret = "emulator-sk";

    /// <summary>Path prefix of the control endpoints.</summary>
    public const string ControlPrefix = "/_emulator";
}
