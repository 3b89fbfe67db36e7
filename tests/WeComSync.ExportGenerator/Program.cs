// Placeholder until the generator lands (issue 2).
System.Console.WriteLine("not yet");
