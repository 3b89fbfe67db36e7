using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using WeComSync.Emulator.Events;

namespace WeComSync.Emulator.Tests;

/// <summary>
/// The emulator's callback crypto against known answers: WeCom's own sample (加解密方案说明 举例说明, as carried by the
/// official WXBizMsgCrypt samples and their ports) and wechatpy's tests/test_crypto.py (wechatpy.work.crypto).
/// </summary>
public sealed class WeComCallbackCryptoTests
{
    // WeCom's sample (document/path/90968 举例说明; the WXBizMsgCrypt Sample in every language).
    private const string SampleToken = "QDG6eK";
    private const string SampleCorpId = "wx5823bf96d3bd56c7";
    private const string SampleKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    private const string SampleEchoStr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
    private const string SampleEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

    // wechatpy tests/test_crypto.py (CryptoTestCase).
    private const string PyToken = "123456";
    private const string PyKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
    private const string PyCorpId = "wx49f0ab532d5d035a";

    [Fact]
    public void Url_verification_sample_signature_and_echostr_match_WeComs_example()
    {
        Assert.Equal("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", WeComCallbackCrypto.Signature(SampleToken, "1409659589", "263014780", SampleEchoStr));
        var (message, receiveId) = WeComCallbackCrypto.Decrypt(WeComCallbackCrypto.Key(SampleKey), SampleEchoStr);
        Assert.Equal(SampleCorpId, receiveId);
        Assert.False(string.IsNullOrEmpty(message));
    }

    [Fact]
    public void Message_sample_signature_and_ciphertext_match_WeComs_example()
    {
        Assert.Equal("477715d11cdb4164915debcba66cb864d751f3e6", WeComCallbackCrypto.Signature(SampleToken, "1409659813", "1372623149", SampleEncrypt));
        var (message, receiveId) = WeComCallbackCrypto.Decrypt(WeComCallbackCrypto.Key(SampleKey), SampleEncrypt);
        Assert.Equal(SampleCorpId, receiveId);
        Assert.Equal("xml", XElement.Parse(message).Name.LocalName);
    }

    [Fact]
    public void Encrypting_with_wechatpys_fixed_random_gives_its_exact_ciphertext_and_signature()
    {
        const string reply = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>";
        var encrypt = WeComCallbackCrypto.Encrypt(WeComCallbackCrypto.Key(PyKey), reply, PyCorpId, Encoding.ASCII.GetBytes("1234567890123456"));
        Assert.Equal("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3", encrypt);
        Assert.Equal("407518b7649e86ef23978113f92d27afa9296533", WeComCallbackCrypto.Signature(PyToken, "1411525903", "461056294", encrypt));
    }

    [Fact]
    public void Decrypting_wechatpys_message_vector_gives_its_content_and_corpid()
    {
        const string encrypt = "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=";
        Assert.Equal("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", WeComCallbackCrypto.Signature(PyToken, "1411525903", "461056294", encrypt));
        var (message, receiveId) = WeComCallbackCrypto.Decrypt(WeComCallbackCrypto.Key(PyKey), encrypt);
        Assert.Equal(PyCorpId, receiveId);
        var xml = XElement.Parse(message);
        Assert.Equal("test", (string)xml.Element("Content"));
        Assert.Equal("messense", (string)xml.Element("FromUserName"));
    }

    [Fact]
    public void Wechatpys_check_signature_vector_verifies_and_its_echostr_decrypts()
    {
        const string echo = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==";
        Assert.Equal("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", WeComCallbackCrypto.Signature(PyToken, "1411443780", "437374425", echo));
        Assert.NotEqual("dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", WeComCallbackCrypto.Signature(PyToken, "1411443780", "437374424", echo));
        Assert.Equal(PyCorpId, WeComCallbackCrypto.Decrypt(WeComCallbackCrypto.Key(PyKey), echo).receiveId);
    }

    [Fact]
    public void Padding_is_to_32_bytes_a_whole_block_when_aligned_and_round_trips()
    {
        var key = WeComCallbackCrypto.Key(PyKey);
        // 16 + 4 + 8 + 4 = 32: already aligned, so a whole 32-byte block of padding follows.
        var cipher = Convert.FromBase64String(WeComCallbackCrypto.Encrypt(key, "12345678", "abcd"));
        Assert.Equal(64, cipher.Length);
        using var aes = Aes.Create();
        aes.Key = key;
        var plain = aes.DecryptCbc(cipher, key.AsSpan(0, 16), PaddingMode.None);
        Assert.All(plain[32..], b => Assert.Equal(32, b));
        Assert.Equal(("12345678", "abcd"), WeComCallbackCrypto.Decrypt(key, Convert.ToBase64String(cipher)));
        Assert.Equal(("张三 <x>", "ww-emulator"), WeComCallbackCrypto.Decrypt(key, WeComCallbackCrypto.Encrypt(key, "张三 <x>", "ww-emulator")));
    }

    [Theory]
    [InlineData("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2")]   // 42 characters
    [InlineData("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C1")] // 44
    [InlineData("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B+C")]  // '+' is not among a-z A-Z 0-9
    public void An_EncodingAESKey_that_is_not_43_letters_or_digits_is_refused(string key) =>
        Assert.Throws<ArgumentException>(() => WeComCallbackCrypto.Key(key));
}
