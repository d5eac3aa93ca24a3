import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import mirc.storage.Index;
import mirc.storage.IndexEntry;
import mirc.storage.Query;
import mirc.storage.StorageService;
import org.rsna.util.XmlUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Searches the index that the mirc-judge harness leaves in its WORKDIR, with the TFS's own classes
 * (run by test_mirc_tfs.py; the TFS code itself stays outside the repository).
 *
 * Each line of stdin is a MIRCquery. Every hit is written as StorageService.fixResult hands it to the
 * TFS's query page (so with unknown="yes" it is what an unknown's reader sees), with the entry's
 * access, public and publication-request flags. The harness's own queries are fixed; these are the
 * ones the tests need: each record's patient sex and age, modality, level and diagnosis.
 *
 * Usage: java -cp JUDGE_CLASSPATH TfsQueries.java WORKDIR < queries > results.xml
 */
public class TfsQueries {

	public static void main(String[] args) throws Exception {
		File work = new File(args[0]);
		// The harness opens its index this way too: the constructor is not public.
		Constructor<Index> open = Index.class.getDeclaredConstructor(File.class, File.class);
		open.setAccessible(true);
		Index index = open.newInstance(new File(work, "storage/ss1/docs"), new File(work, "ss1"));
		Method fixResult = StorageService.class.getDeclaredMethod("fixResult", String.class, Element.class, Query.class);
		fixResult.setAccessible(true);

		Document out = XmlUtil.getDocument();
		Element results = (Element) out.appendChild(out.createElement("results"));
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String line; (line = in.readLine()) != null; ) {
			if (line.isBlank()) continue;
			Query query = new Query(XmlUtil.getDocument(line));
			Element queryElement = (Element) results.appendChild(out.createElement("query"));
			queryElement.setAttribute("text", line);
			for (IndexEntry entry : index.query(query, true, null)) {
				Element hit = (Element) queryElement.appendChild(out.createElement("hit"));
				hit.setAttribute("access", entry.access);
				hit.setAttribute("public", Boolean.toString(entry.isPublic));
				hit.setAttribute("pubreq", Boolean.toString(entry.hasPubReq));
				hit.appendChild((Element) fixResult.invoke(null, "", out.importNode(entry.md, true), query));
			}
		}
		index.close();
		PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
		stdout.print(XmlUtil.toString(out));
	}
}
