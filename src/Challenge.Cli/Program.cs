using Challenge.Cli;

return CliApp.Run(args, Console.Out, Console.Error);
