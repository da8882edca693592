package dev.lbkit.examples.appliance;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;

/** Reads and checks configuration files: the parsing half of {@code --check}, start and reload. */
final class ConfigFiles {
    private ConfigFiles() {}

    /**
     * Reads, parses and validates a configuration file.
     *
     * @throws ConfigException with file, line and field when it is not valid
     * @throws IOException     when it cannot be read
     */
    static ApplianceConfig load(Path file) throws ConfigException, IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(new Node.Location(file.toString(), 1, 1, ""), "is not UTF-8 text");
        }
        return parse(file, text);
    }

    static ApplianceConfig parse(Path file, String text) throws ConfigException {
        return ConfigDecoder.file(YamlReader.read(file.toString(), text), file);
    }
}
