using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using WeComSync.Listener;
using WeComSync.Model;
using Xunit;

namespace WeComSync.Tests.Listener
{
    /// <summary>
    /// WeCom's callback crypto and the callback endpoint's refusals, on the sample WeCom publishes with its
    /// WXBizMsgCrypt libraries (token QDG6eK, corp wx5823bf96d3bd56c7; the C# and Java samples' VerifyURL and
    /// DecryptMsg vectors).
    /// </summary>
    public sealed class CallbackCryptoTests
    {
        private const string Token = "QDG6eK";
        private const string AesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
        private const string CorpId = "wx5823bf96d3bd56c7";
        private const string EchoStr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
        private const string SampleEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

        private static readonly DateTimeOffset SampleTime = DateTimeOffset.FromUnixTimeSeconds(1409659589);
        private static WeComCallbackCrypto Crypto() => new WeComCallbackCrypto(Token, AesKey, CorpId);

        private static Dictionary<string, string> Query(string sig, string ts, string nonce, string echo = null)
        {
            var q = new Dictionary<string, string> { ["msg_signature"] = sig, ["timestamp"] = ts, ["nonce"] = nonce };
            if (echo != null) q["echostr"] = echo;
            return q;
        }

        [Fact]
        public void The_published_VerifyURL_sample_answers_its_plaintext_without_quotes_or_newline()
        {
            var handler = new WeComCallbackHandler(Crypto(), clock: () => SampleTime);
            var answer = handler.Verify(Query("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", EchoStr));
            Assert.Equal(200, answer.Status);
            Assert.Equal("1616140317555161061", answer.Body);
        }

        [Fact]
        public void The_published_DecryptMsg_sample_verifies_and_decrypts_to_XML_for_the_corp()
        {
            var crypto = Crypto();
            crypto.VerifySignature("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", SampleEncrypt);
            string xml = crypto.Decrypt(SampleEncrypt);
            Assert.StartsWith("<xml>", xml);
            Assert.Contains("<ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>", xml);
        }

        [Fact]
        public void A_signature_that_differs_in_one_character_is_refused()
        {
            var e = Assert.Throws<CallbackRejectedException>(() => Crypto().VerifySignature("477715d11cdb4164915debcba66cb864d751f3e7", "1409659813", "1372623149", SampleEncrypt));
            Assert.Equal("signature", e.Reason);
        }

        [Fact]
        public void Encrypt_then_decrypt_round_trips_Chinese_text_and_pads_to_32_bytes()
        {
            var crypto = Crypto();
            foreach (int n in new[] { 0, 1, 11, 12, 31, 32, 33, 100 })
            {
                string message = "<xml>张三" + new string('x', n) + "</xml>";
                string cipher = crypto.Encrypt(message);
                Assert.Equal(0, Convert.FromBase64String(cipher).Length % 32);
                Assert.Equal(message, crypto.Decrypt(cipher));
            }
        }

        [Fact]
        public void A_message_for_another_corp_id_is_refused()
        {
            string cipher = Crypto().Encrypt("<xml/>", receiverId: "wwsomeoneelse");
            var e = Assert.Throws<CallbackRejectedException>(() => Crypto().Decrypt(cipher));
            Assert.Equal("corpid", e.Reason);
        }

        [Fact]
        public void A_message_under_another_key_is_refused_not_misread()
        {
            var other = new WeComCallbackCrypto(Token, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", CorpId);
            string cipher = other.Encrypt("<xml/>");
            var e = Assert.Throws<CallbackRejectedException>(() => Crypto().Decrypt(cipher));
            Assert.Contains(e.Reason, new[] { "decrypt", "corpid" });
        }

        [Fact]
        public void A_key_that_is_not_43_characters_is_an_error_that_says_so()
        {
            var e = Assert.Throws<ArgumentException>(() => new WeComCallbackCrypto(Token, "short", CorpId));
            Assert.Contains("43", e.Message);
        }

        [Fact]
        public void Constant_time_equality_is_plain_equality()
        {
            Assert.True(ConstantTime.Equals("abc", "abc"));
            Assert.False(ConstantTime.Equals("abc", "abd"));
            Assert.False(ConstantTime.Equals("abc", "ab"));
            Assert.False(ConstantTime.Equals("ab", "abc"));
            Assert.False(ConstantTime.Equals("abc", null));
        }
    }

    /// <summary>The WeCom callback endpoint: what it takes, what it refuses and with which status, retries taken once.</summary>
    public sealed class WeComCallbackHandlerTests
    {
        internal const string Token = "listener-token";
        internal const string AesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
        internal const string CorpId = "wwlistenertest";
        private DateTimeOffset _now = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

        private WeComCallbackHandler Handler(EndpointLimits limits = null) => new WeComCallbackHandler(new WeComCallbackCrypto(Token, AesKey, CorpId), limits, () => _now);

        internal static (Dictionary<string, string> Query, byte[] Body) Callback(string innerXml, DateTimeOffset sentAt, string corpId = CorpId, string token = Token, string nonce = "1372623149")
        {
            var crypto = new WeComCallbackCrypto(token, AesKey, CorpId);
            string encrypted = crypto.Encrypt(innerXml, receiverId: corpId);
            string ts = sentAt.ToUnixTimeSeconds().ToString();
            var query = new Dictionary<string, string> { ["msg_signature"] = crypto.Sign(ts, nonce, encrypted), ["timestamp"] = ts, ["nonce"] = nonce };
            string body = $"<xml><ToUserName><![CDATA[{corpId}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>";
            return (query, Encoding.UTF8.GetBytes(body));
        }

        internal static string Contact(string changeType, string idXml, DateTimeOffset at) =>
            $"<xml><ToUserName><![CDATA[{CorpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>{at.ToUnixTimeSeconds()}</CreateTime>" +
            $"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>{changeType}</ChangeType>{idXml}</xml>";

        [Fact]
        public void An_update_user_callback_becomes_one_user_event_and_is_answered_200_with_an_empty_body()
        {
            var (q, body) = Callback(Contact("update_user", "<UserID><![CDATA[zhangsan]]></UserID><Department><![CDATA[1,2,3]]></Department>", _now), _now);
            var answer = Handler().Receive(q, body);
            Assert.Equal(200, answer.Status);
            Assert.Equal("", answer.Body);
            var e = Assert.Single(answer.Events);
            Assert.Equal((EventSource.WeCom, ObjectKind.User, EventAction.Updated, "zhangsan"), (e.Source, e.Kind, e.Action, e.Id));
            Assert.Equal(new[] { "1", "2", "3" }, e.Departments);
        }

        [Fact]
        public void Party_events_become_department_events()
        {
            var handler = Handler();
            foreach (var (type, action) in new[] { ("create_party", EventAction.Created), ("update_party", EventAction.Updated), ("delete_party", EventAction.Deleted) })
            {
                var (q, body) = Callback(Contact(type, "<Id>12</Id><ParentId>1</ParentId>", _now), _now);
                var e = Assert.Single(handler.Receive(q, body).Events);
                Assert.Equal((ObjectKind.Department, action, "12"), (e.Kind, e.Action, e.Id));
            }
        }

        [Fact]
        public void A_retry_of_the_same_callback_is_answered_200_and_taken_once()
        {
            var handler = Handler();
            var (q, body) = Callback(Contact("create_user", "<UserID>lisi</UserID>", _now), _now);
            Assert.Single(handler.Receive(q, body).Events);
            var retry = handler.Receive(q, body);
            Assert.Equal(200, retry.Status);
            Assert.True(retry.Duplicate);
            Assert.Empty(retry.Events);
        }

        [Fact]
        public void A_callback_whose_timestamp_is_older_than_the_window_is_refused_as_a_replay()
        {
            var sent = _now - TimeSpan.FromMinutes(6);
            var (q, body) = Callback(Contact("delete_user", "<UserID>lisi</UserID>", sent), sent);
            var answer = Handler().Receive(q, body);
            Assert.Equal(403, answer.Status);
            Assert.Equal("replay", answer.Rejected);
            Assert.Empty(answer.Events);
        }

        [Fact]
        public void A_callback_signed_with_another_token_is_refused()
        {
            var (q, body) = Callback(Contact("delete_user", "<UserID>lisi</UserID>", _now), _now, token: "not-the-token");
            var answer = Handler().Receive(q, body);
            Assert.Equal((403, "signature"), (answer.Status, answer.Rejected));
        }

        [Fact]
        public void A_callback_for_another_corp_is_refused()
        {
            var (q, body) = Callback(Contact("delete_user", "<UserID>lisi</UserID>", _now), _now, corpId: "wwother");
            Assert.Equal((403, "corpid"), (Handler().Receive(q, body).Status, Handler().Receive(q, body).Rejected));
        }

        [Fact]
        public void A_body_over_the_limit_is_refused_413_before_it_is_parsed()
        {
            var (q, body) = Callback(Contact("update_user", "<UserID>a</UserID><Name>" + new string('x', 4000) + "</Name>", _now), _now);
            var answer = Handler(new EndpointLimits { MaxBodyBytes = 1024 }).Receive(q, body);
            Assert.Equal((413, "size"), (answer.Status, answer.Rejected));
        }

        [Fact]
        public void Malformed_XML_and_a_DTD_are_refused_400()
        {
            var handler = Handler();
            var (q, _) = Callback(Contact("update_user", "<UserID>a</UserID>", _now), _now);
            Assert.Equal((400, "malformed"), (handler.Receive(q, Encoding.UTF8.GetBytes("<xml><Encrypt>abc")).Status, "malformed"));
            var dtd = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><Encrypt>&x;</Encrypt></xml>";
            var answer = handler.Receive(q, Encoding.UTF8.GetBytes(dtd));
            Assert.Equal((400, "malformed"), (answer.Status, answer.Rejected));
        }

        [Fact]
        public void An_event_that_is_not_a_contact_change_is_answered_and_ignored()
        {
            var xml = Contact("update_tag", "<TagId>1</TagId>", _now);
            var (q, body) = Callback(xml, _now);
            var answer = Handler().Receive(q, body);
            Assert.Equal(200, answer.Status);
            Assert.Empty(answer.Events);
            Assert.Equal("change_contact/update_tag", answer.Ignored);
        }

        [Fact]
        public void The_verification_of_an_old_request_is_refused()
        {
            var crypto = new WeComCallbackCrypto(Token, AesKey, CorpId);
            string echo = crypto.Encrypt("123456789");
            string ts = (_now - TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString();
            var q = new Dictionary<string, string> { ["msg_signature"] = crypto.Sign(ts, "n", echo), ["timestamp"] = ts, ["nonce"] = "n", ["echostr"] = echo };
            Assert.Equal("replay", Handler().Verify(q).Rejected);
        }
    }

    /// <summary>The Authing webhook endpoint: the secret header, the JSON, the events mapped.</summary>
    public sealed class AuthingWebhookHandlerTests
    {
        internal const string Secret = "webhook-secret-value";
        private static AuthingWebhookHandler Handler(EndpointLimits limits = null) => new AuthingWebhookHandler(Secret, null, limits);
        private static byte[] Json(string s) => Encoding.UTF8.GetBytes(s);

        [Fact]
        public void A_wrong_or_missing_secret_is_refused_401_and_the_body_is_not_read()
        {
            var body = Json("{\"eventName\":\"user:deleted\",\"data\":{\"userId\":\"u1\",\"username\":\"zhangsan\"}}");
            Assert.Equal((401, "secret"), (Handler().Receive("wrong", body).Status, Handler().Receive("wrong", body).Rejected));
            Assert.Equal(401, Handler().Receive(null, body).Status);
            Assert.Empty(Handler().Receive(Secret.Substring(0, Secret.Length - 1), body).Events);
        }

        [Fact]
        public void A_user_event_names_the_user_by_its_link_field_before_its_username()
        {
            var body = Json("{\"eventName\":\"user:updated\",\"data\":{\"userId\":\"u1\",\"username\":\"zs\",\"customData\":{\"wechatwork_user_id\":\"zhangsan\"}}}");
            var e = Assert.Single(Handler().Receive(Secret, body).Events);
            Assert.Equal((EventSource.Authing, ObjectKind.User, EventAction.Updated, "zhangsan", "u1"), (e.Source, e.Kind, e.Action, e.Id, e.AuthingUserId));
        }

        [Fact]
        public void Malformed_JSON_is_refused_400_and_an_oversized_body_413()
        {
            Assert.Equal((400, "malformed"), (Handler().Receive(Secret, Json("{\"eventName\":")).Status, "malformed"));
            Assert.Equal(400, Handler().Receive(Secret, Json("[1,2]")).Status);
            var big = Json("{\"eventName\":\"user:updated\",\"data\":{\"username\":\"" + new string('x', 2000) + "\"}}");
            Assert.Equal(413, Handler(new EndpointLimits { MaxBodyBytes = 1000 }).Receive(Secret, big).Status);
        }

        [Fact]
        public void A_test_event_and_a_login_are_answered_and_ignored()
        {
            var handler = Handler();
            Assert.Empty(handler.Receive(Secret, Json("{\"description\":\"A test from Authing Webhook\"}")).Events);
            var login = handler.Receive(Secret, Json("{\"eventName\":\"login\",\"data\":{\"username\":\"zs\"}}"));
            Assert.Equal(200, login.Status);
            Assert.Equal("login", login.Ignored);
        }

        [Fact]
        public void A_redelivered_webhook_is_taken_once()
        {
            var handler = Handler();
            var body = Json("{\"eventName\":\"user:created\",\"data\":{\"userId\":\"u2\",\"username\":\"lisi\"}}");
            Assert.Single(handler.Receive(Secret, body).Events);
            Assert.True(handler.Receive(Secret, body).Duplicate);
        }
    }
}
