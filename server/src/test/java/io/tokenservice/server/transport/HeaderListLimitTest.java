package io.tokenservice.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import org.junit.jupiter.api.Test;

class HeaderListLimitTest {
    @Test
    void sizeCountsNameValueAnd32BytesPerFieldWithBinaryValuesAsSent() {
        Metadata headers = new Metadata();
        assertThat(HeaderListLimit.size(headers)).isZero();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer abc");
        assertThat(HeaderListLimit.size(headers)).isEqualTo(13 + 10 + 32);
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer xyz");
        assertThat(HeaderListLimit.size(headers)).as("each field counts").isEqualTo(2 * (13 + 10 + 32));
        headers.put(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {1, 2, 3, 4});
        assertThat(HeaderListLimit.size(headers)).as("4 bytes are 6 base64 characters, unpadded")
                .isEqualTo(2 * (13 + 10 + 32) + 9 + 6 + 32);
    }
}
