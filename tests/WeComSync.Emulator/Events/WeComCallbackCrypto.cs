using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace WeComSync.Emulator.Events;

/// <summary>
/// WeCom's callback crypto (加解密方案说明, developer.work.weixin.qq.com/document/path/91144; docs/ServiceFacts.md
/// "Events"), written here from the document and checked against its sample and wechatpy's vectors, apart from the
/// listener's own implementation so that one misreading is not mirrored on both sides.
/// </summary>
public static class WeComCallbackCrypto
{
    /// <summary>WeCom pads to a multiple of 32 bytes, not AES's 16 (wechatpy crypto/pkcs7.py: block_size = 32).</summary>
    public const int PadBlock = 32;

    /// <summary>
    /// AESKey = Base64_Decode(EncodingAESKey + "="): 32 bytes. An EncodingAESKey is "长度固定为43个字符，从a-z, A-Z, 0-9共62个字符中选取";
    /// anything else is refused (ArgumentException).
    /// </summary>
    public static byte[] Key(string encodingAesKey)
    {
        if (encodingAesKey == null || encodingAesKey.Length != 43 || !encodingAesKey.All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException("encodingAesKey must be 43 characters from a-z, A-Z and 0-9");
        var key = Convert.FromBase64String(encodingAesKey + "=");
        if (key.Length != 32) throw new ArgumentException("encodingAesKey does not decode to 32 bytes");
        return key;
    }

    /// <summary>msg_signature: hex SHA-1 of token, timestamp, nonce and the ciphertext, sorted (ordinal) and joined.</summary>
    public static string Signature(string token, string timestamp, string nonce, string encrypt)
    {
        var parts = new[] { token ?? "", timestamp ?? "", nonce ?? "", encrypt ?? "" };
        Array.Sort(parts, StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(parts))));
    }

    /// <summary>
    /// Base64 of AES-256-CBC(IV = key[0..16]) over random(16) ‖ msg length (4 bytes, network order) ‖ msg ‖ receiveId,
    /// PKCS#7-padded to a multiple of 32. <paramref name="random"/> (16 bytes) is for known-answer tests; null = fresh.
    /// </summary>
    public static string Encrypt(byte[] key, string message, string receiveId, byte[] random = null)
    {
        random ??= RandomNumberGenerator.GetBytes(16);
        if (random.Length != 16) throw new ArgumentException("random must be 16 bytes");
        var msg = Encoding.UTF8.GetBytes(message);
        var id = Encoding.UTF8.GetBytes(receiveId ?? "");
        var length = 16 + 4 + msg.Length + id.Length;
        var pad = PadBlock - length % PadBlock; // 1..32: a full block when already aligned
        var plain = new byte[length + pad];
        random.CopyTo(plain, 0);
        BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(16), (uint)msg.Length);
        msg.CopyTo(plain, 20);
        id.CopyTo(plain, 20 + msg.Length);
        plain.AsSpan(length).Fill((byte)pad);
        using var aes = Aes.Create();
        aes.Key = key;
        return Convert.ToBase64String(aes.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None));
    }

    /// <summary>The message and receiveId of a ciphertext; FormatException / CryptographicException when it is not one.</summary>
    public static (string message, string receiveId) Decrypt(byte[] key, string encrypt)
    {
        var cipher = Convert.FromBase64String(encrypt);
        if (cipher.Length == 0 || cipher.Length % 16 != 0) throw new CryptographicException("ciphertext is not a whole number of AES blocks");
        using var aes = Aes.Create();
        aes.Key = key;
        var plain = aes.DecryptCbc(cipher, key.AsSpan(0, 16), PaddingMode.None);
        int pad = plain[^1];
        if (pad < 1 || pad > PadBlock || pad > plain.Length) throw new CryptographicException("bad padding");
        var body = plain.AsSpan(0, plain.Length - pad);
        if (body.Length < 20) throw new CryptographicException("plaintext too short");
        var msgLength = BinaryPrimitives.ReadUInt32BigEndian(body.Slice(16, 4));
        if (msgLength > body.Length - 20) throw new CryptographicException("message length past the end");
        var message = Encoding.UTF8.GetString(body.Slice(20, (int)msgLength));
        var receiveId = Encoding.UTF8.GetString(body.Slice(20 + (int)msgLength));
        return (message, receiveId);
    }

    /// <summary>Ten digits, as WeCom's nonces look (the sample's "263014780").</summary>
    public static string NewNonce() => RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString();

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString();
}
