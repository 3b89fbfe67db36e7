using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace WeComSync.Listener
{
    /// <summary>Why a callback or webhook was refused: a short code for the log and health, never the payload.</summary>
    public sealed class CallbackRejectedException : Exception
    {
        public CallbackRejectedException(string reason, string message) : base(message) { Reason = reason; }

        /// <summary>"signature", "replay", "corpid", "decrypt", "malformed", "size", "secret" …</summary>
        public string Reason { get; }
    }

    /// <summary>
    /// WeCom's callback encryption (the WXBizMsgCrypt scheme, developer.work.weixin.qq.com path 90968; wechatpy's
    /// <c>crypto</c>): <c>msg_signature</c> = hex SHA-1 of the token, timestamp, nonce and ciphertext sorted as strings
    /// and joined; the ciphertext is base64 of AES-256-CBC (key = base64 of the 43-character EncodingAESKey plus "=",
    /// IV = the key's first 16 bytes, PKCS#7 padding to a 32-byte block) over 16 random bytes, the message length
    /// (4 bytes, network order), the message (UTF-8 XML, or the echostr plaintext) and the receiver id (the corp id).
    /// </summary>
    public sealed class WeComCallbackCrypto
    {
        private const int Block = 32;
        private readonly byte[] _key;
        private readonly string _tokenText;

        public WeComCallbackCrypto(string token, string encodingAesKey, string corpId)
        {
            if (string.IsNullOrEmpty(token)) throw new ArgumentException("The callback Token is empty: give the Token set in the WeCom admin console (-WeComToken).", nameof(token));
            if (string.IsNullOrEmpty(corpId)) throw new ArgumentException("The corp id is empty: connect to WeCom first (Connect-WeCom).", nameof(corpId));
            if (encodingAesKey == null || encodingAesKey.Length != 43)
                throw new ArgumentException("The EncodingAESKey must be the 43 characters the WeCom admin console shows (-WeComEncodingAesKey).", nameof(encodingAesKey));
            try { _key = Convert.FromBase64String(encodingAesKey + "="); }
            catch (FormatException) { throw new ArgumentException("The EncodingAESKey is not the 43 characters the WeCom admin console shows: it holds characters outside A-Z, a-z, 0-9.", nameof(encodingAesKey)); }
            if (_key.Length != 32) throw new ArgumentException("The EncodingAESKey does not decode to a 32-byte AES key.", nameof(encodingAesKey));
            _tokenText = token;
            CorpId = corpId;
        }

        /// <summary>The receiver id every decrypted message must end with (the corp id).</summary>
        public string CorpId { get; }

        /// <summary>The msg_signature WeCom computes for these values.</summary>
        public static string Signature(string token, string timestamp, string nonce, string encrypted)
        {
            var parts = new[] { token ?? "", timestamp ?? "", nonce ?? "", encrypted ?? "" };
            Array.Sort(parts, StringComparer.Ordinal);
            using (var sha1 = SHA1.Create())
            {
                var hash = sha1.ComputeHash(Encoding.UTF8.GetBytes(string.Concat(parts)));
                return string.Concat(hash.Select(b => b.ToString("x2")));
            }
        }

        /// <summary>Checks msg_signature in constant time; throws <see cref="CallbackRejectedException"/> ("signature") when it differs.</summary>
        public void VerifySignature(string msgSignature, string timestamp, string nonce, string encrypted)
        {
            string expected = Signature(_tokenText, timestamp, nonce, encrypted);
            if (!ConstantTime.Equals(expected, (msgSignature ?? "").ToLowerInvariant()))
                throw new CallbackRejectedException("signature", "The msg_signature does not match: the request is not from WeCom, or the Token differs.");
        }

        /// <summary>The message inside <paramref name="encrypted"/>; throws when it does not decrypt or is not for our corp id.</summary>
        public string Decrypt(string encrypted)
        {
            byte[] cipher;
            try { cipher = Convert.FromBase64String(encrypted ?? ""); }
            catch (FormatException) { throw new CallbackRejectedException("decrypt", "The ciphertext is not base64."); }
            if (cipher.Length == 0 || cipher.Length % 16 != 0) throw new CallbackRejectedException("decrypt", "The ciphertext is not a whole number of AES blocks.");
            byte[] plain;
            using (var aes = Aes.Create())
            {
                aes.Key = _key;
                aes.IV = _key.Take(16).ToArray();
                aes.Mode = CipherMode.CBC;
                aes.Padding = PaddingMode.None;   // PKCS#7 to 32 bytes, not AES's 16: removed below
                using (var d = aes.CreateDecryptor()) plain = d.TransformFinalBlock(cipher, 0, cipher.Length);
            }
            int pad = plain[plain.Length - 1];
            if (pad < 1 || pad > Block || pad > plain.Length) throw new CallbackRejectedException("decrypt", "The decrypted message has no valid padding: the EncodingAESKey differs.");
            int length = plain.Length - pad;
            if (length < 20) throw new CallbackRejectedException("decrypt", "The decrypted message is too short.");
            int msgLength = (plain[16] << 24) | (plain[17] << 16) | (plain[18] << 8) | plain[19];
            if (msgLength < 0 || 20 + msgLength > length) throw new CallbackRejectedException("decrypt", "The decrypted message's length field is wrong: the EncodingAESKey differs.");
            string receiver = Encoding.UTF8.GetString(plain, 20 + msgLength, length - 20 - msgLength);
            if (!ConstantTime.Equals(receiver, CorpId))
                throw new CallbackRejectedException("corpid", "The message is for another corp id than the connected one.");
            return Encoding.UTF8.GetString(plain, 20, msgLength);
        }

        /// <summary>Encrypts <paramref name="message"/> as WeCom does (tests, and a reply if one is ever needed); <paramref name="random"/> 16 bytes or null.</summary>
        public string Encrypt(string message, byte[] random = null, string receiverId = null)
        {
            random = random ?? NewRandom();
            var msg = Encoding.UTF8.GetBytes(message ?? "");
            var receiver = Encoding.UTF8.GetBytes(receiverId ?? CorpId);
            int length = 20 + msg.Length + receiver.Length;
            int pad = Block - length % Block;
            var plain = new byte[length + pad];
            Buffer.BlockCopy(random, 0, plain, 0, 16);
            plain[16] = (byte)(msg.Length >> 24); plain[17] = (byte)(msg.Length >> 16); plain[18] = (byte)(msg.Length >> 8); plain[19] = (byte)msg.Length;
            Buffer.BlockCopy(msg, 0, plain, 20, msg.Length);
            Buffer.BlockCopy(receiver, 0, plain, 20 + msg.Length, receiver.Length);
            for (int i = length; i < plain.Length; i++) plain[i] = (byte)pad;
            using (var aes = Aes.Create())
            {
                aes.Key = _key;
                aes.IV = _key.Take(16).ToArray();
                aes.Mode = CipherMode.CBC;
                aes.Padding = PaddingMode.None;
                using (var e = aes.CreateEncryptor()) return Convert.ToBase64String(e.TransformFinalBlock(plain, 0, plain.Length));
            }
        }

        /// <summary>The signature for a message we encrypted with this token.</summary>
        public string Sign(string timestamp, string nonce, string encrypted) => Signature(_tokenText, timestamp, nonce, encrypted);

        private static byte[] NewRandom()
        {
            var bytes = new byte[16];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return bytes;
        }
    }

    /// <summary>Comparisons whose time does not depend on where two secrets first differ.</summary>
    public static class ConstantTime
    {
        public static bool Equals(string a, string b)
        {
            if (a == null || b == null) return false;
            var x = Encoding.UTF8.GetBytes(a);
            var y = Encoding.UTF8.GetBytes(b);
            int diff = x.Length ^ y.Length;
            // Walk the expected length whatever the other's, so the time says nothing about the common prefix.
            for (int i = 0; i < x.Length; i++) diff |= x[i] ^ (i < y.Length ? y[i] : 0);
            return diff == 0;
        }
    }
}
