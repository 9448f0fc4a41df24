using MudBlazor;

namespace Challenge.Web.Components.Layout;

/// <summary>The site's one theme: the teal accent and calm greys, in light and dark.</summary>
public static class SiteTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0b6e99",
            PrimaryDarken = "#08506f",
            Secondary = "#5b6b7c",
            AppbarBackground = "#ffffff",
            AppbarText = "#1d2733",
            Background = "#f4f7fa",
            Surface = "#ffffff",
            TextPrimary = "#1d2733",
            TextSecondary = "#5b6b7c",
            LinesDefault = "#dfe5ec",
            Error = "#b3261e",
            Success = "#1b7f3b",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#4fb3de",
            PrimaryDarken = "#2f93be",
            Secondary = "#9fb0c2",
            AppbarBackground = "#1b232d",
            AppbarText = "#e6edf3",
            Background = "#11171e",
            Surface = "#1b232d",
            TextPrimary = "#e6edf3",
            TextSecondary = "#9fb0c2",
            LinesDefault = "#2e3a47",
            Error = "#f2827a",
            Success = "#6fcf8e",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
            },
            Button = new ButtonTypography { TextTransform = "none" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px" },
    };
}
