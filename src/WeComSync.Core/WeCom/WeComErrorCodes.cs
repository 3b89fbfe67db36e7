using System.Collections.Generic;
using System.Linq;
using WeComSync.Http;

// Linked into the emulator too (tests/WeComSync.Emulator): the emulator answers only codes of this table (its WeComError
// refuses any other), so client and emulator cannot drift apart on what a code is. Behaviour stays independent.
namespace WeComSync.WeCom
{
    /// <summary>
    /// WeCom's error codes: one row per errcode the sync can meet (meaning, class, what to do). Every part of
    /// WeComSync that judges a WeCom error reads this table; adding a code is one row. Meanings follow WeCom's global
    /// error code page (developer.work.weixin.qq.com/document/path/90313) and the frequency-limit page (…/90312,
    /// …/90454); match on errcode only, never on errmsg (live errmsg carries a changing "hint … from ip …" suffix).
    /// </summary>
#if WECOMSYNC_EMULATOR
    internal
#else
    public
#endif
    static class WeComErrorCodes
    {
        public const int SystemBusy = -1;
        public const int DataVersionConflict = 6000;
        public const int InvalidCredential = 40001;
        public const int InvalidUserId = 40003;
        public const int InvalidCorpId = 40013;
        public const int InvalidAccessToken = 40014;
        public const int InvalidParameter = 40058;
        public const int InvalidSecret = 40091;
        public const int AccessTokenMissing = 41001;
        public const int CorpIdMissing = 41002;
        public const int SecretMissing = 41004;
        public const int AccessTokenExpired = 42001;
        public const int FrequencyLimited = 45009;
        public const int SeatLimitReached = 45024;
        public const int ResponseTooLarge = 45029;
        public const int ConcurrencyLimited = 45033;
        public const int UserNotExist = 46004;
        public const int ApiUnauthorized = 48001;
        public const int ApiForbidden = 48002;
        public const int DetailReadBanned = 48009;
        public const int InvalidCursor = 50100;
        public const int DepartmentNameLength = 60001;
        public const int DepartmentNotFound = 60003;
        public const int ParentDepartmentNotFound = 60004;
        public const int DepartmentHasMembers = 60005;
        public const int DepartmentHasChildren = 60006;
        public const int RootDepartmentFixed = 60007;
        public const int DepartmentExists = 60008;
        public const int DepartmentNameInvalid = 60009;
        public const int DepartmentCycle = 60010;
        public const int NoPrivilege = 60011;
        public const int UntrustedIp = 60020;
        public const int UserOutsideAppRange = 60021;
        public const int UserIdExists = 60102;
        public const int MobileInvalid = 60103;
        public const int MobileExists = 60104;
        public const int EmailInvalid = 60105;
        public const int EmailExists = 60106;
        public const int TooManyDepartments = 60110;
        public const int UserNotFound = 60111;
        public const int NameInvalid = 60112;
        public const int DepartmentIdInvalid = 60123;
        public const int DepartmentMissing = 60127;
        public const int MobileAndEmailEmpty = 60129;
        public const int LeaderFlagsMismatch = 60132;
        public const int DepartmentNodeLimit = 81001;
        public const int DepartmentTooDeep = 81002;
        public const int NotInAppScope = 301002;
        public const int CreatorUndeletable = 301005;
        public const int PositionInvalid = 301012;
        public const int TelephoneInvalid = 301013;
        public const int UserIdUnchangeable = 301036;

        private const string CheckCredentials = "Check the corp id and the secret (Connect-WeCom -CorpId … -Secret …); a secret reset in the admin console invalidates the old one. Repeated wrong secrets ban the server's IP for an hour.";

        private static readonly Dictionary<int, ApiErrorInfo> Rows = new[]
        {
            new ApiErrorInfo(SystemBusy, "system busy", ApiErrorClass.Throttled),
            // "数据版本冲突 … 可能有多个调用端同时修改数据，稍后重试" (/90313; go-workwx errcodes/mod.go).
            new ApiErrorInfo(DataVersionConflict, "data version conflict: another caller changed the same data at the same time; retry later", ApiErrorClass.Retryable),
            new ApiErrorInfo(InvalidCredential, "invalid secret, or access_token invalid", ApiErrorClass.Credentials, CheckCredentials, renewsToken: true),
            // Also what a POST-only API answers to a GET (its body, and so its userid, is missing: /90313, 40003 item 5).
            new ApiErrorInfo(InvalidUserId, "invalid userid", ApiErrorClass.PerObject),
            new ApiErrorInfo(InvalidCorpId, "invalid corpid", ApiErrorClass.Credentials, CheckCredentials),
            new ApiErrorInfo(InvalidAccessToken, "invalid access_token", ApiErrorClass.Token),
            // Also invalid JSON, and a POST-only API called with GET (no body: /90313, 40058 items 1 and 5).
            new ApiErrorInfo(InvalidParameter, "invalid parameter (a field has a wrong value or type, the body is not JSON, or the request used the wrong HTTP method)", ApiErrorClass.PerObject),
            new ApiErrorInfo(InvalidSecret, "invalid secret", ApiErrorClass.Credentials, CheckCredentials),
            new ApiErrorInfo(AccessTokenMissing, "access_token missing", ApiErrorClass.Forbidden, "Reconnect with Connect-WeCom."),
            new ApiErrorInfo(CorpIdMissing, "corpid missing", ApiErrorClass.Credentials, CheckCredentials),
            new ApiErrorInfo(SecretMissing, "corpsecret missing", ApiErrorClass.Credentials, CheckCredentials),
            new ApiErrorInfo(AccessTokenExpired, "access_token expired", ApiErrorClass.Token),
            new ApiErrorInfo(FrequencyLimited, "API call frequency limit exceeded: blocked for 60 seconds (minute limit, 10 000 calls/min per API) or 60 minutes (hour limit, 150 000 calls/hour per API) from the hit", ApiErrorClass.Blocked,
                "Lower the call rate (Connect-WeCom -CallsPerMinute) or -ThrottleLimit."),
            new ApiErrorInfo(SeatLimitReached, "the corp's member seat limit is reached", ApiErrorClass.PerObject, "Free or buy seats in the WeCom admin console before adding members."),
            new ApiErrorInfo(ResponseTooLarge, "response size exceeds the limit", ApiErrorClass.PerObject),
            new ApiErrorInfo(ConcurrencyLimited, "too many concurrent calls to the API", ApiErrorClass.Throttled, "Lower -ThrottleLimit."),
            new ApiErrorInfo(UserNotExist, "member does not exist", ApiErrorClass.PerObject),
            new ApiErrorInfo(ApiUnauthorized, "API not authorized for this app", ApiErrorClass.Restricted),
            new ApiErrorInfo(ApiForbidden, "API forbidden for this secret", ApiErrorClass.Forbidden,
                "Contact writes and user/list_id need the address-book sync (通讯录同步) secret: connect with that secret (Connect-WeCom -AppMode AddressBookSync), or grant the app write access to the address book."),
            new ApiErrorInfo(DetailReadBanned, "detail reads are banned for this secret from this IP", ApiErrorClass.Restricted,
                "Detail reads (user/get, user/list, department/get, department/list) are banned for the address-book sync secret from IPs added after 2022-08-15: use the ID lists, and take names and details from the console export (Import-WeComAddressBook)."),
            new ApiErrorInfo(InvalidCursor, "invalid cursor", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentNameLength, "department name length invalid", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentNotFound, "department not found", ApiErrorClass.PerObject),
            new ApiErrorInfo(ParentDepartmentNotFound, "parent department not found", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentHasMembers, "department still has members", ApiErrorClass.PerObject, "Delete or move the department's members first."),
            new ApiErrorInfo(DepartmentHasChildren, "department still has sub-departments", ApiErrorClass.PerObject, "Delete or move the sub-departments first."),
            new ApiErrorInfo(RootDepartmentFixed, "the root department cannot be deleted or moved", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentExists, "a department with this name or id exists", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentNameInvalid, "department name contains invalid characters", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentCycle, "the new parent is inside the department", ApiErrorClass.PerObject),
            new ApiErrorInfo(NoPrivilege, "no privilege to access or modify this member or department (outside the app's visible range)", ApiErrorClass.Restricted,
                "The app's visible range (可见范围) does not include this department or member: widen it in the WeCom admin console."),
            new ApiErrorInfo(UntrustedIp, "calls from this IP are not allowed", ApiErrorClass.Forbidden,
                "Add this server's public IP address to the app's trusted IPs (企业可信IP) in the WeCom admin console, then run again."),
            new ApiErrorInfo(UserOutsideAppRange, "the userid is outside the app's visible range", ApiErrorClass.Restricted,
                "The app's visible range (可见范围) does not include this member: widen it in the WeCom admin console."),
            new ApiErrorInfo(UserIdExists, "userid exists", ApiErrorClass.PerObject),
            new ApiErrorInfo(MobileInvalid, "invalid mobile", ApiErrorClass.PerObject),
            new ApiErrorInfo(MobileExists, "mobile exists", ApiErrorClass.PerObject),
            new ApiErrorInfo(EmailInvalid, "invalid email", ApiErrorClass.PerObject),
            new ApiErrorInfo(EmailExists, "email exists", ApiErrorClass.PerObject),
            new ApiErrorInfo(TooManyDepartments, "a member may be in at most 100 departments", ApiErrorClass.PerObject),
            // Ambiguous: "UserID不存在 … d) 成员不在应用可见范围内" (/90313; go-workwx errcodes/mod.go). Proof of absence only
            // for an app that sees the whole corp (WeComClient.ProvesAbsentAsync).
            new ApiErrorInfo(UserNotFound, "userid not found, or the member is outside the app's visible range", ApiErrorClass.PerObject),
            new ApiErrorInfo(NameInvalid, "invalid name", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentIdInvalid, "invalid department id", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentMissing, "department missing", ApiErrorClass.PerObject),
            new ApiErrorInfo(MobileAndEmailEmpty, "mobile and email cannot both be empty", ApiErrorClass.PerObject),
            new ApiErrorInfo(LeaderFlagsMismatch, "is_leader_in_dept and department differ in length", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentNodeLimit, "the department holds too many nodes (sub-departments and members: at most 30 000)", ApiErrorClass.PerObject),
            new ApiErrorInfo(DepartmentTooDeep, "departments may be at most 15 levels deep", ApiErrorClass.PerObject,
                "Flatten the department tree to at most 15 levels (the root is level 1)."),
            // "无权限操作指定的应用 … access_token来源需要有指定应用的权限": e.g. agentid 14 named with a token of agentid 100032 (/90313).
            new ApiErrorInfo(NotInAppScope, "no permission for the app the call names: the access_token was issued for another app (agentid)", ApiErrorClass.Forbidden,
                "Connect with the secret of the app the call names (its agentid), or with the address-book sync secret."),
            new ApiErrorInfo(CreatorUndeletable, "the corp's creator cannot be deleted", ApiErrorClass.PerObject),
            new ApiErrorInfo(PositionInvalid, "invalid position", ApiErrorClass.PerObject),
            new ApiErrorInfo(TelephoneInvalid, "invalid telephone", ApiErrorClass.PerObject),
            new ApiErrorInfo(UserIdUnchangeable, "the userid cannot be changed (only a generated userid may be renamed, once)", ApiErrorClass.PerObject),
        }.ToDictionary(r => r.Code);

        /// <summary>Every known code.</summary>
        public static IReadOnlyCollection<ApiErrorInfo> All => Rows.Values;

        public static bool IsKnown(int code) => Rows.ContainsKey(code);

        /// <summary>The code's row; an unknown code is a per-object error with no advice.</summary>
        public static ApiErrorInfo Find(int code) =>
            Rows.TryGetValue(code, out var row) ? row : new ApiErrorInfo(code, "unknown WeCom errcode (see developer.work.weixin.qq.com/devtool/query?e=" + code + ")", ApiErrorClass.PerObject);
    }
}
