using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FeedIngest.Infra.Tests.Infrastructure;

namespace FeedIngest.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class BicepBuildTests(CompiledInfra infra)
{
    [Fact]
    public void Bicep_build_prints_no_warning_or_error()
    {
        // Act: the fixture ran `bicep build infra/main.bicep`; linter warnings appear in its output.

        // Assert
        Assert.True(string.IsNullOrWhiteSpace(infra.BuildOutput), $"bicep build printed diagnostics:\n{infra.BuildOutput}");
    }

    [Fact]
    public void Compiled_template_deploys_into_a_resource_group()
    {
        // Arrange
        var schema = (string)infra.Template["$schema"]!;

        // Assert: the resource-group schema, not the subscription one (see docs/DEPLOY.md for the choice).
        Assert.EndsWith("/2019-04-01/deploymentTemplate.json#", schema, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listKeys(")]
    [InlineData("listAccountSas(")]
    [InlineData("listServiceSas(")]
    [InlineData("AccountKey")]
    [InlineData("SharedAccessSignature")]
    [InlineData("InstrumentationKey")]
    public void Compiled_template_never_reads_or_writes_a_key(string keyMaterial)
    {
        // Act
        var found = infra.TemplateText.Contains(keyMaterial, StringComparison.OrdinalIgnoreCase);

        // Assert
        Assert.False(found, $"main.json mentions {keyMaterial}: every client authenticates with Entra ID.");
    }

    [Fact]
    public void Azd_parameters_file_sets_only_parameters_the_template_declares()
    {
        // Arrange
        var declared = infra.Template["parameters"]!.AsObject().Select(parameter => parameter.Key).ToHashSet();
        var parametersFile = JsonNode.Parse(File.ReadAllText(RepositoryRoot.Combine("infra", "main.parameters.json")))!;

        // Act
        var unknown = parametersFile["parameters"]!.AsObject().Select(parameter => parameter.Key).Where(name => !declared.Contains(name)).ToList();

        // Assert
        Assert.Empty(unknown);
        Assert.Contains("environmentName", parametersFile["parameters"]!.AsObject().Select(parameter => parameter.Key));
    }

    [Fact]
    public void Bicep_cli_version_is_pinned_exactly()
    {
        // Act
        var project = File.ReadAllText(BicepCli.ProjectPath);

        // Assert: PackageDownload needs an exact [x.y.z] version, taken from BicepCliVersion.
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+$"), BicepCli.PinnedVersion);
        Assert.Contains("Version=\"[$(BicepCliVersion)]\"", project, StringComparison.Ordinal);
    }
}
