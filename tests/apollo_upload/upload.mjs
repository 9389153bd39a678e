// Uploads a file with Apollo Client's upload link (apollo-upload-client's createUploadLink), as a
// browser or React Native app would: node upload.mjs <graphql url> <token> <owner id> <file path>.
// Prints the mutation's result as JSON.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ApolloClient, InMemoryCache, gql } from "@apollo/client/core/index.js";
import createUploadLink from "apollo-upload-client/createUploadLink.mjs";

const [url, token, ownerId, path] = process.argv.slice(2);
const client = new ApolloClient({
  link: createUploadLink({ uri: url, headers: { Authorization: `Bearer ${token}` } }),
  cache: new InMemoryCache(),
});
const file = new File([await readFile(path)], basename(path), { type: "application/pdf" });
const result = await client.mutate({
  mutation: gql`
    mutation Upload($input: DocumentUploadInput!, $file: Upload!) {
      documentUpload(input: $input, file: $file) {
        document { id name size contentType downloadPath }
        errors { code seedCode message }
      }
    }
  `,
  variables: { input: { ownerId, description: "from Apollo" }, file },
});
process.stdout.write(JSON.stringify(result.data));
