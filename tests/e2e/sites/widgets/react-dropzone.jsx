// A real upload widget from npm: react-dropzone in a React 19 app, bundled by the e2e global setup.
import { createRoot } from 'react-dom/client';
import { useDropzone } from 'react-dropzone';
import { upload } from '../upload/upload.js';

function Uploader() {
  const { getRootProps, getInputProps } = useDropzone({
    onDrop: (files) => void upload(files, 'react-dropzone'),
  });
  return (
    <div {...getRootProps({ id: 'dropzone', style: { padding: 40, border: '2px dashed #888' } })}>
      <input {...getInputProps({ 'aria-label': 'react-dropzone input' })} />
      <p>Drag files here, or click to choose</p>
    </div>
  );
}

createRoot(document.getElementById('app')).render(<Uploader />);
