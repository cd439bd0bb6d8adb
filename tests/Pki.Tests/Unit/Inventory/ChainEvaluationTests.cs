using Pki.Core.Inventory;

namespace Pki.Tests.Unit.Inventory;

public sealed class ChainEvaluationTests
{
    [Fact]
    public void A_chain_through_a_presented_intermediate_to_an_anchor_is_trusted()
    {
        var (root, rootFacts) = TestCertificates.Root();
        var (intermediate, intermediateFacts) = TestCertificates.Issued(root, "CN=Intermediate", ca: true);
        var (_, leaf) = TestCertificates.Issued(intermediate, "CN=good.test", dns: ["good.test"]);

        Assert.Null(ChainEvaluation.Evaluate([leaf, intermediateFacts], [rootFacts], "loc"));
    }

    [Fact]
    public void A_missing_intermediate_is_incomplete_even_when_the_root_is_an_anchor()
    {
        var (root, rootFacts) = TestCertificates.Root();
        var (intermediate, _) = TestCertificates.Issued(root, "CN=Intermediate", ca: true);
        var (_, leaf) = TestCertificates.Issued(intermediate, "CN=good.test", dns: ["good.test"]);

        var finding = ChainEvaluation.Evaluate([leaf], [rootFacts], "loc");

        Assert.Equal(FindingCodes.ChainIncomplete, finding?.Code);
        Assert.Contains("CN=Intermediate", finding!.Message);
        Assert.Equal("loc", finding.Location);
    }

    [Fact]
    public void A_chain_to_a_root_that_is_no_anchor_is_untrusted()
    {
        var (root, rootFacts) = TestCertificates.Root("CN=Unknown Root");
        var (_, leaf) = TestCertificates.Issued(root, "CN=good.test");
        var (_, otherRoot) = TestCertificates.Root("CN=Our Root");

        Assert.Equal(FindingCodes.Untrusted, ChainEvaluation.Evaluate([leaf, rootFacts], [otherRoot], "loc")?.Code);
        Assert.Equal(FindingCodes.ChainIncomplete, ChainEvaluation.Evaluate([leaf], [otherRoot], "loc")?.Code);
    }

    [Fact]
    public void A_private_chain_served_whole_but_its_root_is_unverifiable_not_incomplete_when_no_anchor_is_configured()
    {
        var (root, _) = TestCertificates.Root("CN=Private Root");
        var (intermediate, intermediateFacts) = TestCertificates.Issued(root, "CN=Private Intermediate", ca: true);
        var (_, leaf) = TestCertificates.Issued(intermediate, "CN=good.test", dns: ["good.test"]);

        var finding = ChainEvaluation.Evaluate([leaf, intermediateFacts], [], "loc");

        Assert.Equal((FindingCodes.ChainUnverifiable, FindingSeverity.Low, "loc"), (finding?.Code, finding?.Severity, finding?.Location));
        Assert.Contains("no trust anchor for issuer 'CN=Private Root'", finding!.Message);

        // The same server leaving out the intermediate is still the high finding it was.
        Assert.Equal((FindingCodes.ChainIncomplete, FindingSeverity.High), (ChainEvaluation.Evaluate([leaf], [], "loc")?.Code, ChainEvaluation.Evaluate([leaf], [], "loc")?.Severity));
    }

    [Fact]
    public void An_intermediate_of_ours_the_server_left_out_is_named()
    {
        var (root, rootFacts) = TestCertificates.Root("CN=Our Root");
        var (issuing, issuingFacts) = TestCertificates.Issued(root, "CN=Our Issuing CA", ca: true);
        var (_, leaf) = TestCertificates.Issued(issuing, "CN=app.test", dns: ["app.test"]);

        var finding = ChainEvaluation.Evaluate([leaf], [rootFacts], "loc", [rootFacts, issuingFacts]);

        Assert.Equal(FindingCodes.ChainIncomplete, finding?.Code);
        Assert.Contains("did not send the intermediate 'CN=Our Issuing CA'", finding!.Message);
        Assert.Null(ChainEvaluation.Evaluate([leaf, issuingFacts], [rootFacts], "loc", [rootFacts, issuingFacts]));
    }

    [Fact]
    public void A_same_named_impostor_issuer_does_not_complete_the_chain()
    {
        var (root, rootFacts) = TestCertificates.Root();
        var (intermediate, _) = TestCertificates.Issued(root, "CN=Intermediate", ca: true);
        var (_, impostor) = TestCertificates.Issued(root, "CN=Intermediate", ca: true);
        var (_, leaf) = TestCertificates.Issued(intermediate, "CN=good.test");

        Assert.Equal(FindingCodes.ChainIncomplete, ChainEvaluation.Evaluate([leaf, impostor], [rootFacts], "loc")?.Code);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x30, 0x82, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x04, 0x02, 0x41, 0x42 })]
    public void Bytes_that_are_no_certificate_are_one_clear_refusal(byte[] der)
    {
        var refused = Assert.Throws<Pki.Core.Errors.ProblemException>(() => CertificateFacts.Read(der));
        Assert.Equal("invalid-certificate", refused.Type);
    }
}
